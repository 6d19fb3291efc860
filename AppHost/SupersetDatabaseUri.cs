using Npgsql;

namespace AppHost;

/// <summary>
/// The warehouse as Superset's SQLAlchemy URI (<c>postgresql+psycopg2://user:password@127.0.0.1:port/db</c>), from
/// the warehouse's connection string once it is known: Superset runs on the host network, so 127.0.0.1 is right.
/// </summary>
public sealed class SupersetDatabaseUri(IResourceWithConnectionString warehouse) : IValueProvider, IManifestExpressionProvider
{
    public static SupersetDatabaseUri For(IResourceWithConnectionString warehouse) => new(warehouse);

    public string ValueExpression => $"{{{warehouse.Name}.connectionString}}";

    public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default)
    {
        var pg = new NpgsqlConnectionStringBuilder(await warehouse.GetConnectionStringAsync(cancellationToken));
        var password = string.IsNullOrEmpty(pg.Password) ? "" : ":" + Uri.EscapeDataString(pg.Password);
        return $"postgresql+psycopg2://{Uri.EscapeDataString(pg.Username ?? "postgres")}{password}@127.0.0.1:{pg.Port}/{pg.Database}";
    }
}
