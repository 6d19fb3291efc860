using Analytics.RunStore;
using Analytics.Warehouse.Postgres;
using Npgsql;
using Xunit;

namespace Analytics.Testing;

/// <summary>A fresh database on the shared server for one test class, so classes run in parallel.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var server = await SharedServer.InstanceAsync();
        var name = "t_" + Guid.NewGuid().ToString("N")[..12];
        await using (var admin = NpgsqlDataSource.Create(server.ConnectionString()))
        {
            await using var create = admin.CreateCommand($"create database {name}");
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = server.ConnectionString(name);
        DataSource = PostgresDataSources.Create(ConnectionString);
        await WarehouseSchema.EnsureAsync(DataSource);
        await PostgresSourceTables.EnsureAsync(DataSource, TestSources.Events, CancellationToken.None);
        await RunStoreMigrations.ApplyAsync(DataSource);
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return await command.ExecuteScalarAsync() is { } value and not DBNull ? (T)value : default!;
    }

    public async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await DataSource.DisposeAsync();
}
