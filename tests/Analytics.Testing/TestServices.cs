using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Ingest;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Analytics.Testing;

/// <summary>
/// The engine's container over one data source (warehouse and run store alike), as a worker has it: the registrations
/// of <see cref="AnalyticsServiceCollectionExtensions.AddAnalyticsEngine"/>, with the test's database in place of the
/// environment's. Sources are not loaded by runs (no source loader): a test ingests what it needs itself.
/// </summary>
public static class TestServices
{
    public static ServiceProvider Create(NpgsqlDataSource dataSource, string assets, Action<WorkerOptions>? worker = null)
    {
        var settings = new AnalyticsSettings(null, null, null, assets);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(settings);
        services.AddSingleton(AnalyticsEnvironment.LoadAssets(settings));
        // Instances the test owns: the container uses them and leaves them open.
        services.AddKeyedSingleton(AnalyticsServiceCollectionExtensions.RunStoreKey, dataSource);
        services.AddRunStore(AnalyticsServiceCollectionExtensions.RunStoreKey);
        services.AddPostgresWarehouse(_ => dataSource.ConnectionString);
        services.AddKeyedSingleton(PostgresWarehouseExtensions.DataSourceKey, dataSource);
        services.AddAnalyticsEngine(settings);
        services.RemoveAll<ISourceLoader>();
        if (worker is not null)
        {
            services.Configure(worker);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>A landing sensor on <paramref name="store"/> (a folder, or a bucket) with the container's project, ingestor and run store.</summary>
    public static LandingSensor Sensor(this IServiceProvider services, ILandingStore store, int maxFilesPerSweep = LandingSensor.MaxFilesPerSweep) =>
        new(services.GetRequiredService<AssetProject>(), services.GetRequiredService<ISourceIngestor>(), services.GetRequiredService<SensorFiles>(),
            services.GetRequiredService<PostgresAssetLocks>(), services.GetRequiredService<RunQueue>(), store, NullLogger.Instance, null, maxFilesPerSweep);

    /// <summary>A landing sensor on a local folder.</summary>
    public static LandingSensor Sensor(this IServiceProvider services, string folder, int maxFilesPerSweep = LandingSensor.MaxFilesPerSweep) =>
        services.Sensor(new LocalLandingStore(folder), maxFilesPerSweep);
}

/// <summary>A clock the test sets by hand.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => Now;
}
