using System.Collections.Concurrent;
using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.RunStore;

namespace Analytics.Api.Extensions;

/// <summary>
/// What the hot read endpoints would otherwise ask the run store on every request: the asset statuses (dropped
/// whenever any worker, in any process, reports a step or run finished, through LISTEN) and finished runs (which
/// never change again). Until the listener is connected nothing is cached.
/// </summary>
public sealed class CatalogCache(RunStoreQueries queries, ILogger<CatalogCache> logger) : BackgroundService
{
    private const int MaxFinishedRuns = 10_000;
    private readonly ConcurrentDictionary<Guid, RunView> _finishedRuns = new();
    private volatile bool _listening;
    private long _version;
    private (long Version, IReadOnlyDictionary<string, AssetStatus> Statuses)? _statuses;

    public async Task<IReadOnlyDictionary<string, AssetStatus>> AssetStatusesAsync(CancellationToken cancellationToken)
    {
        var version = Interlocked.Read(ref _version);
        if (_listening && _statuses is { } cached && cached.Version == version)
        {
            return cached.Statuses;
        }

        var statuses = await queries.AssetStatusesAsync(cancellationToken);
        _statuses = (version, statuses);
        return statuses;
    }

    public async Task<RunView?> RunAsync(Guid runId, CancellationToken cancellationToken)
    {
        if (_listening && _finishedRuns.TryGetValue(runId, out var finished))
        {
            return finished;
        }

        var run = await queries.GetRunAsync(runId, cancellationToken);
        if (run is not null && run.Status.IsFinished())
        {
            if (_finishedRuns.Count >= MaxFinishedRuns)
            {
                _finishedRuns.Clear();
            }

            _finishedRuns[runId] = run;
        }

        return run;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await queries.ListenForChangesAsync(
                    () => Interlocked.Increment(ref _version),
                    () =>
                    {
                        Interlocked.Increment(ref _version);
                        _listening = true;
                    },
                    stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Without the listener a cached answer could be stale: serve from the store until it is back.
                _listening = false;
                logger.LogWarning(e, "Run store listener lost; catalog cache off until it reconnects");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
