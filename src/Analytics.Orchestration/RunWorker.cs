using System.Diagnostics;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Orchestration;

/// <summary>
/// Takes queued runs from the run store and executes them: claims one (SKIP LOCKED), heartbeats while it runs,
/// turns a cancel request into cancellation of the SQL in flight, and releases the run by recording its outcome.
/// Any number of workers on any number of machines share one queue.
/// </summary>
public sealed class RunWorker(AnalyticsServices services, WorkerOptions options, ILogger? logger = null)
{
    private readonly RunQueue _queue = new(services.RunStore);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;
    private readonly BuildSweeper _sweeper = new(services.Project, services.Warehouse, services.RunStore, logger ?? NullLogger.Instance);

    /// <summary>Works until <paramref name="stopping"/> fires; a run in flight at that point is canceled.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var wake = new SemaphoreSlim(0);
        // LISTEN for new runs so an idle worker starts within milliseconds rather than at the next poll.
        var listening = RunStoreNotifications.ListenAsync(services.RunStore, RunQueue.Channel, () => wake.Release(), null, stopping);
        var swept = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!swept)
                {
                    await _sweeper.SweepAsync([], stopping);
                    swept = true;
                }

                if (await _queue.ReapAsync(options.HeartbeatTimeout, stopping) is { Count: > 0 } reaped)
                {
                    await _sweeper.SweepAsync(reaped, stopping);
                }

                if (await ExecuteNextAsync(stopping))
                {
                    continue;
                }
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && !stopping.IsCancellationRequested)
            {
                // PostgreSQL restarting or unreachable stops no worker: it claims again once the store answers.
                _logger.LogWarning("Run store unreachable ({Message}); trying again in {Interval}", e.Message, options.PollInterval);
            }

            try
            {
                await wake.WaitAsync(options.PollInterval, stopping);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await listening.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Claims and executes one queued run (only <paramref name="only"/>, when given); false when none was waiting.</summary>
    public async Task<bool> ExecuteNextAsync(CancellationToken stopping, Guid? only = null)
    {
        var run = await _queue.ClaimAsync(RunStoreRecorder.Worker, stopping, only);
        if (run is null)
        {
            return false;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(run.RunId, cancel, heartbeatStop.Token);
        var known = run.Plan.Where(services.Project.Graph.Contains).ToList();
        var executor = services.Executors.Create(run.Kind, run.Selection, "queue", options.Parallelism);
        _logger.LogInformation("Run {RunId} started: {Kind} {Assets} asset(s) of '{Selection}'", run.RunId, WireName.Of(run.Kind), known.Count, run.Selection);
        // The run continues the trace of the request that queued it (gateway, API, then this worker's run and its assets).
        using var queued = ActivityContext.TryParse(run.TraceParent, null, out var parent)
            ? EngineTelemetry.Source.StartActivity("queued run", ActivityKind.Consumer, parent)
            : null;
        queued?.SetTag("analytics.run_id", run.RunId.ToString());
        queued?.SetTag("analytics.worker", RunStoreRecorder.Worker);
        try
        {
            var result = await executor.RunAsync(run.RunId, known, run.Kind == RunKind.Check, cancel.Token);
            var failed = result.Steps.Where(s => s.Status != StepStatus.Succeeded).Select(s => $"{s.AssetKey} ({WireName.Of(s.Status)})").ToList();
            if (result.Succeeded)
            {
                _logger.LogInformation("Run {RunId} succeeded: {Assets} asset(s) in {Seconds:0.0} s", run.RunId, result.Steps.Count, result.Duration.TotalSeconds);
            }
            else
            {
                _logger.LogWarning("Run {RunId} {Status} after {Seconds:0.0} s: {Failed}", run.RunId, WireName.Of(result.Status), result.Duration.TotalSeconds,
                    string.Join(", ", failed.Take(10)));
            }
        }
        finally
        {
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }

        return true;
    }

    private async Task HeartbeatAsync(Guid runId, CancellationTokenSource cancel, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(options.HeartbeatInterval, stop);
                if (await _queue.HeartbeatAsync(runId, stop) && !cancel.IsCancellationRequested)
                {
                    await cancel.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run finished; the heartbeat's job is done.
        }
    }
}
