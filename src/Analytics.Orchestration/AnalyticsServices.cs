using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.Orchestration;

/// <summary>
/// The environment a command or service works in: the declared assets, the warehouse (whichever adapter was
/// registered), the run store and the executor factory. Made by the container; <see cref="AnalyticsInitializer"/>
/// has brought the schemas up to date before anything uses it.
/// </summary>
public sealed class AnalyticsServices(
    AssetProject project,
    IWarehouse warehouse,
    [FromKeyedServices(AnalyticsServiceCollectionExtensions.RunStoreKey)] NpgsqlDataSource runStore,
    RunExecutorFactory executors)
{
    public AssetProject Project { get; } = project;

    public IWarehouse Warehouse { get; } = warehouse;

    public NpgsqlDataSource RunStore { get; } = runStore;

    public RunExecutorFactory Executors { get; } = executors;
}
