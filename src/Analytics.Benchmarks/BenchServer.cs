using Analytics.Cli;
using Analytics.Postgres.Server;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Benchmarks;

/// <summary>A throwaway PostgreSQL cluster for one benchmark, deleted afterwards.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly string _root;

    private BenchServer(string root, EmbeddedPostgres server)
    {
        _root = root;
        Server = server;
    }

    public EmbeddedPostgres Server { get; }

    /// <param name="sharedBuffers">1GB unless told; the marts benchmark passes the embedded cluster's own default.</param>
    public static async Task<BenchServer> StartAsync(string sharedBuffers = "1GB")
    {
        var root = Path.Combine(Path.GetTempPath(), $"analytics-bench-{Guid.NewGuid():N}");
        var server = await EmbeddedPostgres.StartAsync(root, new EmbeddedPostgresOptions { Durable = false, SharedBuffers = sharedBuffers });
        return new BenchServer(root, server);
    }

    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var admin = NpgsqlDataSource.Create(Server.ConnectionString());
        await using var command = admin.CreateCommand($"drop database if exists {name}; ");
        await command.ExecuteNonQueryAsync();
        await using var create = admin.CreateCommand($"create database {name}");
        await create.ExecuteNonQueryAsync();
        return Server.ConnectionString(name);
    }

    public static NpgsqlDataSource Open(string connectionString) => PostgresDataSources.Create(connectionString);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
