using Analytics.Core.Execution;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.RunStore;

public static class RunStoreServiceCollectionExtensions
{
    /// <summary>
    /// The run store's parts, each over the data source registered under <paramref name="key"/>: the queue and its
    /// queries, the asset locks and intervals the executor uses, and the stores of alerts, audit, API keys, secrets,
    /// erasures, extractions, retention, sensor files and schedule ticks. All stateless (a data source is the state), so
    /// singletons.
    /// </summary>
    public static IServiceCollection AddRunStore(this IServiceCollection services, object key)
    {
        NpgsqlDataSource Store(IServiceProvider provider) => provider.GetRequiredKeyedService<NpgsqlDataSource>(key);
        services.AddSingleton(provider => new RunQueue(Store(provider)));
        services.AddSingleton(provider => new RunStoreQueries(Store(provider)));
        services.AddSingleton(provider => new PostgresAssetLocks(Store(provider)));
        services.AddSingleton<IAssetLocks>(provider => provider.GetRequiredService<PostgresAssetLocks>());
        services.AddSingleton(provider => new PostgresIntervalStore(Store(provider)));
        services.AddSingleton<IIntervalStore>(provider => provider.GetRequiredService<PostgresIntervalStore>());
        services.AddSingleton(provider => new AlertStore(Store(provider)));
        services.AddSingleton(provider => new AuditStore(Store(provider)));
        services.AddSingleton(provider => new ApiKeyStore(Store(provider)));
        services.AddSingleton(provider => new SecretStore(Store(provider)));
        services.AddSingleton(provider => new ErasureStore(Store(provider)));
        services.AddSingleton(provider => new ExtractionStore(Store(provider)));
        services.AddSingleton(provider => new RetentionStore(Store(provider)));
        services.AddSingleton(provider => new ScheduleTicks(Store(provider)));
        services.AddSingleton(provider => new SensorFiles(Store(provider)));
        return services;
    }
}
