using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.Orchestration;

/// <summary>
/// The one place an executor is wired, for the CLI and the queue workers alike: the registered warehouse, the
/// run store recording every step, and per-asset locks in the run store so concurrent runs never build one asset twice.
/// </summary>
public sealed class RunExecutorFactory(
    AssetProject project, IWarehouse warehouse, [FromKeyedServices(AnalyticsServiceCollectionExtensions.RunStoreKey)] NpgsqlDataSource runStore,
    IAssetLocks locks, IIntervalStore intervals, ISourceWatermark? loads = null, ISourceLoader? sourceLoader = null)
{
    public AssetExecutor Create(RunKind kind, string selection, string requestedBy, int parallelism, IRunObserver? observer = null,
        Action<ExecutorOptions>? configure = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(parallelism);
        IRunObserver recorder = new RunStoreRecorder(runStore, kind, selection, requestedBy);
        var options = new ExecutorOptions
        {
            Parallelism = parallelism,
            Locks = locks,
            Intervals = intervals,
            SourceWatermark = loads,
            SourceLoader = sourceLoader,
        };
        configure?.Invoke(options);
        return new AssetExecutor(project, warehouse, options, observer is null ? recorder : new CompositeObserver(observer, recorder));
    }
}
