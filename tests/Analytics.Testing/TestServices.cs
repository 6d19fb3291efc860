using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Testing;

/// <summary>The engine's services over one data source (warehouse and run store alike), as a worker has them.</summary>
public static class TestServices
{
    public static AnalyticsServices Create(NpgsqlDataSource dataSource, string assets)
    {
        var project = AnalyticsEnvironment.LoadAssets(new AnalyticsSettings(null, null, null, assets));
        var warehouse = new PostgresWarehouse(dataSource);
        return new AnalyticsServices(project, warehouse, dataSource, new RunExecutorFactory(project, warehouse, dataSource, new PostgresAssetLocks(dataSource), new PostgresIntervalStore(dataSource),
            new Analytics.Ingest.ManifestWatermark(dataSource)));
    }
}

/// <summary>A clock the test sets by hand.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => Now;
}
