using Analytics.Postgres.Server;
using Npgsql;

namespace AppHost.Resources;

/// <summary>
/// PostgreSQL from the machine's binaries in a data folder that survives restarts (as the postgres user when run
/// as root), on a free port; or, when <c>ConnectionStrings:postgres</c> is given, that server instead.
/// </summary>
public sealed class PostgresServerResource(string name, string? external) : Resource(name)
{
    private EmbeddedPostgres? _embedded;

    public string? ConnectionString { get; private set; }

    public List<PostgresDatabaseResource> Databases { get; } = [];

    public override string? Url => ConnectionString is null ? null : new NpgsqlConnectionStringBuilder(ConnectionString) is var b ? $"postgres://{b.Host}:{b.Port}" : null;

    public override async Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        if (external is not null)
        {
            ConnectionString = external;
        }
        else
        {
            _embedded = await EmbeddedPostgres.StartAsync(Path.Combine(runtime.Home, "postgres"), cancellationToken: cancellationToken);
            ConnectionString = _embedded.ConnectionString();
            if (!_embedded.DataDirectory.StartsWith(runtime.Home, StringComparison.Ordinal))
            {
                runtime.Log(Name, $"data kept in {_embedded.DataDirectory}: the postgres user cannot reach {runtime.Home} "
                                  + $"(see {Path.Combine(runtime.Home, "postgres", EmbeddedPostgres.LocationFile)})");
            }
        }

        await using var admin = NpgsqlDataSource.Create(ConnectionString);
        foreach (var database in Databases.Select(d => d.DatabaseName).Distinct())
        {
            await using var exists = admin.CreateCommand("select 1 from pg_database where datname = $1");
            exists.Parameters.AddWithValue(database);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                await using var create = admin.CreateCommand($"create database \"{database}\"");
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        MarkReady(external is null ? "running (embedded)" : "running (external)");
        Databases.ForEach(d => d.MarkReady("ready"));
    }

    public override async Task StopAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
            State = "stopped";
        }
    }
}
