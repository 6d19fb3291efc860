using Npgsql;

namespace AppHost;

/// <summary>A database on <see cref="LocalPostgresResource"/>, created when the server starts.</summary>
public sealed class LocalPostgresDatabaseResource(string name, string databaseName, LocalPostgresResource parent)
    : Resource(name), IResourceWithParent<LocalPostgresResource>, IResourceWithConnectionString
{
    public LocalPostgresResource Parent => parent;

    public string DatabaseName => databaseName;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{new LocalPostgresResource.Deferred(Name, ConnectionStringAsync)}");

    internal async Task<string> ConnectionStringAsync() =>
        new NpgsqlConnectionStringBuilder(await parent.ConnectionStringTask) { Database = databaseName }.ConnectionString;
}
