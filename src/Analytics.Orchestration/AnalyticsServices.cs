using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.Orchestration;

/// <summary>
/// The opened environment a command or service works in: the declared assets, the warehouse (whichever adapter
/// was registered) with its landing schema in place, and the migrated run store.
/// </summary>
public sealed class AnalyticsServices(AssetProject project, IWarehouse warehouse, NpgsqlDataSource runStore, RunExecutorFactory executors)
{
    public AssetProject Project { get; } = project;

    public IWarehouse Warehouse { get; } = warehouse;

    public NpgsqlDataSource RunStore { get; } = runStore;

    public RunExecutorFactory Executors { get; } = executors;

    /// <summary>Resolves everything from <paramref name="provider"/>, starting the embedded server if it is the one, then bootstraps the schemas.</summary>
    public static async Task<AnalyticsServices> OpenAsync(IServiceProvider provider, CancellationToken cancellationToken)
    {
        var services = new AnalyticsServices(
            provider.GetRequiredService<AssetProject>(),
            provider.GetRequiredService<IWarehouse>(),
            provider.GetRequiredKeyedService<NpgsqlDataSource>(AnalyticsServiceCollectionExtensions.RunStoreKey),
            provider.GetRequiredService<RunExecutorFactory>());
        await services.Warehouse.EnsureSchemaAsync(services.Project.Graph.Keys.Select(k => services.Project.Graph[k]).Where(a => a.IsSource).ToList(), cancellationToken);
        await RunStoreMigrations.ApplyAsync(services.RunStore, cancellationToken);
        return services;
    }
}
