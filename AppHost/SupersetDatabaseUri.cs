using Npgsql;

namespace AppHost;

/// <summary>
/// The warehouse as Superset's SQLAlchemy URI (<c>postgresql+psycopg2://analytics_superset:password@127.0.0.1:port/db</c>),
/// from the warehouse's connection string once it is known: Superset runs on the host network, so 127.0.0.1 is right.
/// It connects as the reader role (the marts' unclassified columns only), with <paramref name="readerPassword"/>,
/// which the publishing job gives that role.
/// </summary>
public sealed class SupersetDatabaseUri(IResourceWithConnectionString warehouse, ParameterResource readerPassword) : IValueProvider, IManifestExpressionProvider
{
    /// <summary>The role Superset connects as (Analytics.Warehouse.Postgres's SupersetRole; the AppHost does no data work, so it is named here).</summary>
    public const string ReaderRole = "analytics_superset";

    public static SupersetDatabaseUri For(IResourceWithConnectionString warehouse, ParameterResource readerPassword) => new(warehouse, readerPassword);

    public string ValueExpression => $"{{{warehouse.Name}.connectionString}}";

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var pg = new NpgsqlConnectionStringBuilder(await warehouse.GetConnectionStringAsync(cancellationToken));
        var password = Uri.EscapeDataString(await ((IValueProvider)readerPassword).GetValueAsync(cancellationToken) ?? "");
        return $"postgresql+psycopg2://{ReaderRole}:{password}@127.0.0.1:{pg.Port}/{pg.Database}";
    }
}
