using Analytics.Testing;
using Npgsql;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>A test class with a source database of its own beside the warehouse (the app's database, named appdb in the declarations).</summary>
public abstract class SourceDatabaseTest(string name) : IAsyncLifetime
{
    protected NpgsqlDataSource Source { get; private set; } = null!;

    protected string SourceConnection { get; private set; } = "";

    public async Task InitializeAsync()
    {
        SourceConnection = await SharedServer.CreateDatabaseAsync(name);
        Source = NpgsqlDataSource.Create(SourceConnection);
    }

    public async Task DisposeAsync() => await Source.DisposeAsync();

    protected async Task ExecAsync(string sql)
    {
        await using var command = Source.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
