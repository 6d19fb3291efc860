using Analytics.Core.Assets;
using Analytics.Postgres.Server;

namespace Analytics.Orchestration;

/// <summary>
/// The databases the CLI and the services work against: the servers given by connection string, or else the
/// embedded PostgreSQL kept under <c>.analytics/</c> (or <c>ANALYTICS_HOME</c>), started here and stopped on dispose.
/// </summary>
public sealed class AnalyticsEnvironment : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private AnalyticsEnvironment(EmbeddedPostgres? embedded, string warehouse, string runStore)
    {
        _embedded = embedded;
        WarehouseConnectionString = warehouse;
        RunStoreConnectionString = runStore;
    }

    public string WarehouseConnectionString { get; }

    public string RunStoreConnectionString { get; }

    public static async Task<AnalyticsEnvironment> StartAsync(AnalyticsSettings settings, CancellationToken cancellationToken)
    {
        var warehouse = settings.WarehouseConnection;
        // On BigQuery, PostgreSQL holds only the run store: given by its own connection string, the embedded server is not needed.
        if (warehouse is null && settings.RunStoreConnection is { } runStore && !settings.Warehouse.Equals("postgres", StringComparison.OrdinalIgnoreCase))
        {
            return new AnalyticsEnvironment(null, runStore, runStore);
        }

        EmbeddedPostgres? embedded = null;
        if (warehouse is null)
        {
            var home = HomeFolder(settings);
            embedded = await EmbeddedPostgres.StartAsync(Path.Combine(home, "postgres"), cancellationToken: cancellationToken);
            warehouse = embedded.ConnectionString();
        }

        return new AnalyticsEnvironment(embedded, warehouse, settings.RunStoreConnection ?? warehouse);
    }

    /// <summary><c>ANALYTICS_HOME</c>, else <c>.analytics/</c> under the current folder.</summary>
    public static string HomeFolder(AnalyticsSettings settings) => settings.Home ?? Path.Combine(Directory.GetCurrentDirectory(), ".analytics");

    /// <summary>The folder the landing sensor watches: <c>Analytics__Landing</c>, else <c>&lt;ANALYTICS_HOME&gt;/landing</c>.</summary>
    public static string LandingFolder(AnalyticsSettings settings) => settings.Landing ?? Path.Combine(HomeFolder(settings), "landing");

    /// <summary>The declared assets of <see cref="AssetsFolder"/>.</summary>
    public static AssetProject LoadAssets(AnalyticsSettings settings) => AssetProject.Load(AssetsFolder(settings));

    /// <summary>The assets folder: <c>ANALYTICS_ASSETS</c>, else the nearest <c>assets-sql/</c> at or above the current folder.</summary>
    public static string AssetsFolder(AnalyticsSettings settings)
    {
        if (settings.AssetsPath is { } configured)
        {
            return configured;
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets-sql");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "assets-sql");
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }
}
