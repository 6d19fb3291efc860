using Analytics.Core.Execution;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Warehouse.BigQuery;

public static class BigQueryWarehouseExtensions
{
    /// <summary>
    /// Makes BigQuery the warehouse: <see cref="IWarehouse"/> (and <see cref="BigQueryWarehouse"/>) over the REST
    /// client, with the Cloud Storage client beside it. Credentials are resolved on first use: none against
    /// emulators, else Application Default Credentials.
    /// </summary>
    public static IServiceCollection AddBigQueryWarehouse(this IServiceCollection services, BigQuerySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.AddKeyedSingleton("bigquery", (_, _) => GoogleRestTransport.Create(settings.BigQueryEmulator is not null));
        services.AddKeyedSingleton("storage", (_, _) => GoogleRestTransport.Create(settings.StorageEmulator is not null));
        services.AddSingleton(provider => new BigQueryClient(provider.GetRequiredKeyedService<GoogleRestTransport>("bigquery"), settings));
        services.AddSingleton(provider => new GcsClient(provider.GetRequiredKeyedService<GoogleRestTransport>("storage"), settings));
        services.AddSingleton(provider => new BigQueryWarehouse(provider.GetRequiredService<BigQueryClient>()));
        services.AddSingleton<IWarehouse>(provider => provider.GetRequiredService<BigQueryWarehouse>());
        return services;
    }
}
