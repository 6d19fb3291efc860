using Analytics.Core.Assets;
using Analytics.Postgres.RunStore;
using Analytics.Postgres.Warehouse;
using Npgsql;

namespace Analytics.Postgres.Hosting;

/// <summary>
/// Where the CLI and the services work: the warehouse and run store databases (a server given by connection string, or the
/// embedded one under <c>.analytics/</c>) and the assets folder.
/// </summary>
public sealed class AnalyticsEnvironment : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private AnalyticsEnvironment(EmbeddedPostgres? embedded, NpgsqlDataSource warehouse, NpgsqlDataSource runStore)
    {
        _embedded = embedded;
        Warehouse = warehouse;
        RunStore = runStore;
    }

    public NpgsqlDataSource Warehouse { get; }

    public NpgsqlDataSource RunStore { get; }

    public static async Task<AnalyticsEnvironment> OpenAsync(AnalyticsSettings settings, CancellationToken cancellationToken)
    {
        var warehouseConnection = settings.WarehouseConnection;
        EmbeddedPostgres? embedded = null;
        if (warehouseConnection is null)
        {
            var home = settings.Home ?? Path.Combine(Directory.GetCurrentDirectory(), ".analytics");
            embedded = await EmbeddedPostgres.StartAsync(Path.Combine(home, "postgres"), cancellationToken: cancellationToken);
            warehouseConnection = embedded.ConnectionString();
        }

        var runStoreConnection = settings.RunStoreConnection ?? warehouseConnection;
        var warehouse = Build(warehouseConnection);
        var runStore = runStoreConnection == warehouseConnection ? warehouse : Build(runStoreConnection);
        var environment = new AnalyticsEnvironment(embedded, warehouse, runStore);
        try
        {
            await WarehouseSchema.EnsureAsync(warehouse, cancellationToken);
            await RunStoreMigrations.ApplyAsync(runStore, cancellationToken);
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }

        return environment;
    }

    /// <summary>The assets folder: <c>ANALYTICS_ASSETS</c>, else the nearest <c>assets-sql/</c> at or above the current folder.</summary>
    public static AssetProject LoadAssets(AnalyticsSettings settings)
    {
        if (settings.AssetsPath is { } configured)
        {
            return AssetProject.Load(configured);
        }

        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "assets-sql");
            if (Directory.Exists(candidate))
            {
                return AssetProject.Load(candidate);
            }
        }

        var besideTool = Path.Combine(AppContext.BaseDirectory, "assets-sql");
        return AssetProject.Load(besideTool);
    }

    public static NpgsqlDataSource Build(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        // Short analytical queries pay more for JIT compilation than they gain; hashing and sorting millions of rows
        // wants memory, not temp files; dates are UTC whatever the server says.
        builder.ConnectionStringBuilder.Options ??= "-c jit=off -c work_mem=512MB -c TimeZone=UTC";
        // The API asks the same few questions thousands of times a second: prepare them once per connection.
        builder.ConnectionStringBuilder.MaxAutoPrepare = 64;
        builder.ConnectionStringBuilder.AutoPrepareMinUsages = 2;
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await Warehouse.DisposeAsync();
        if (!ReferenceEquals(Warehouse, RunStore))
        {
            await RunStore.DisposeAsync();
        }

        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }
}
