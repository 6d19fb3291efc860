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
            embedded = await EmbeddedPostgres.StartAsync(EmbeddedPostgres.ClusterFolder(home), cancellationToken: cancellationToken);
            await PostgresDatabases.EnsureAsync(embedded.ConnectionString(), [EmbeddedPostgres.Database], cancellationToken);
            warehouse = embedded.ConnectionString(EmbeddedPostgres.Database);
            settings.Notices?.WriteLine(embedded.Joined
                ? $"warehouse: the embedded PostgreSQL of {home}, already running (the app's, when scripts/run runs), database '{EmbeddedPostgres.Database}'"
                : $"warehouse: the embedded PostgreSQL of {home}, started for this command, database '{EmbeddedPostgres.Database}'; "
                  + "Analytics__Home (ANALYTICS_HOME) or ConnectionStrings__warehouse point it elsewhere");
        }

        return new AnalyticsEnvironment(embedded, warehouse, settings.RunStoreConnection ?? warehouse);
    }

    /// <summary>
    /// <c>ANALYTICS_HOME</c>, else <c>.analytics/</c> beside the <c>assets-sql/</c> found at or above the current folder
    /// (the repository root, where the AppHost keeps its data too), else under the current folder.
    /// </summary>
    public static string HomeFolder(AnalyticsSettings settings)
    {
        if (settings.Home is { } home)
        {
            return home;
        }

        var assets = settings.AssetsPath is null ? FindAssets() : null;
        return Path.Combine(assets is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(assets)!, ".analytics");
    }

    /// <summary>The folder the landing sensor watches: <c>Analytics__Landing</c>, else <c>&lt;ANALYTICS_HOME&gt;/landing</c>.</summary>
    public static string LandingFolder(AnalyticsSettings settings) => settings.Landing ?? Path.Combine(HomeFolder(settings), "landing");

    /// <summary>The declared assets of <see cref="AssetsFolder"/>.</summary>
    public static AssetProject LoadAssets(AnalyticsSettings settings) => AssetProject.Load(AssetsFolder(settings));

    /// <summary>The assets folder: <c>ANALYTICS_ASSETS</c>, else the nearest <c>assets-sql/</c> at or above the current folder.</summary>
    public static string AssetsFolder(AnalyticsSettings settings)
    {
        return settings.AssetsPath ?? FindAssets() ?? Path.Combine(AppContext.BaseDirectory, "assets-sql");
    }

    /// <summary>The nearest <c>assets-sql/</c> at or above the current folder, or null.</summary>
    private static string? FindAssets()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets-sql");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }
}
