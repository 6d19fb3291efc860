using Npgsql;

namespace AppHost.Resources;

/// <summary>A database on a <see cref="PostgresServerResource"/>; its connection string goes to whoever references it.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource server) : Resource(name)
{
    public string DatabaseName { get; } = databaseName;

    public string? ConnectionString => server.ConnectionString is null
        ? null
        : new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = DatabaseName }.ConnectionString;

    // Started (and marked ready) by its server.
    public override Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken) => server.Ready;
}
