using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>The one way this app opens a PostgreSQL database, warehouse or run store.</summary>
public static class PostgresDataSources
{
    /// <summary>
    /// A data source whose repeated statements are prepared once per connection (the run store's: the API asks it
    /// the same few questions thousands of times a second), or, with <paramref name="autoPrepare"/> off, none are:
    /// the warehouse's, whose chart queries carry readers' filter values as untyped parameters. Under auto-prepare, a
    /// value the server refuses at bind time (<c>value:lte:abc</c>) left Npgsql's prepared-statement state out of
    /// step with the server's, and the next valid query of that shape failed with "unexpected backend message".
    /// </summary>
    /// <remarks>
    /// With <paramref name="warehouse"/>, each statement's span is tagged <see cref="Analytics.Core.Execution.StatementLog.WarehouseTag"/>,
    /// which is how a step's statement timings (the run page's) are told from the run store's bookkeeping.
    /// </remarks>
    public static NpgsqlDataSource Create(string connectionString, bool autoPrepare = true, bool warehouse = false)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Short analytical queries pay more for JIT compilation than they gain; dates are UTC whatever the server says.
        // work_mem stays small: at 10 M events a sort of millions of rows ran faster as an external merge of
        // cache-sized runs than as one in-memory quicksort, and 512MB made the full rebuild 200 s instead of 143 s
        // (BENCHMARKS.md, full-rebuild tuning).
        // A connection string's own Options come after these, so each of its settings wins over the default.
        builder.ConnectionStringBuilder.Options = ("-c jit=off -c work_mem=16MB -c TimeZone=UTC " + builder.ConnectionStringBuilder.Options).Trim();
        // The API asks the same few questions thousands of times a second: prepare them once per connection.
        if (autoPrepare)
        {
            builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
            builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        }

        if (warehouse)
        {
            builder.ConfigureTracing(tracing => tracing
                .ConfigureCommandEnrichmentCallback((activity, _) => activity.SetTag(Analytics.Core.Execution.StatementLog.WarehouseTag, true))
                .ConfigureBatchEnrichmentCallback((activity, _) => activity.SetTag(Analytics.Core.Execution.StatementLog.WarehouseTag, true)));
        }

        return builder.Build();
    }
}
