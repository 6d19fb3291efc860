using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>The one way this app opens a PostgreSQL database, warehouse or run store.</summary>
public static class PostgresDataSources
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Short analytical queries pay more for JIT compilation than they gain; dates are UTC whatever the server says.
        // work_mem stays small: at 10 M events a sort of millions of rows ran faster as an external merge of
        // cache-sized runs than as one in-memory quicksort, and 512MB made the full rebuild 200 s instead of 143 s
        // (BENCHMARKS.md, full-rebuild tuning).
        // A connection string's own Options come after these, so each of its settings wins over the default.
        builder.ConnectionStringBuilder.Options = ("-c jit=off -c work_mem=16MB -c TimeZone=UTC " + builder.ConnectionStringBuilder.Options).Trim();
        // The API asks the same few questions thousands of times a second: prepare them once per connection.
        builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        return builder.Build();
    }
}
