using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>The one way this app opens a PostgreSQL database, warehouse or run store.</summary>
public static class PostgresDataSources
{
    public static NpgsqlDataSource Create(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Short analytical queries pay more for JIT compilation than they gain; hashing and sorting millions of rows
        // wants memory, not temp files; dates are UTC whatever the server says.
        builder.ConnectionStringBuilder.Options ??= "-c jit=off -c work_mem=512MB -c TimeZone=UTC";
        // The API asks the same few questions thousands of times a second: prepare them once per connection.
        builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        return builder.Build();
    }
}
