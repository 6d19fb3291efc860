using Analytics.Core.Execution;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

public static class PostgresWarehouseExtensions
{
    /// <summary>The DI key of the warehouse's <see cref="NpgsqlDataSource"/>.</summary>
    public const string DataSourceKey = "warehouse";

    /// <summary>
    /// Makes PostgreSQL the warehouse: <see cref="IWarehouse"/> (and <see cref="PostgresWarehouse"/>, for what only
    /// PostgreSQL does) over a data source opened from <paramref name="connectionString"/> on first use.
    /// </summary>
    public static IServiceCollection AddPostgresWarehouse(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        services.AddKeyedSingleton(DataSourceKey, (provider, _) => PostgresDataSources.Create(connectionString(provider), autoPrepare: false, warehouse: true));
        services.AddSingleton(provider => new PostgresWarehouse(provider.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey)));
        services.AddSingleton<IWarehouse>(provider => provider.GetRequiredService<PostgresWarehouse>());
        return services;
    }
}
