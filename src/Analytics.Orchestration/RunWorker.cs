using System.Diagnostics;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Analytics.Orchestration;

/// <summary>
/// Takes queued runs from the run store and executes them: claims one (SKIP LOCKED), heartbeats while it runs,
/// turns a cancel request into cancellation of the SQL in flight, and releases the run by recording its outcome.
/// Any number of workers on any number of machines share one queue.
/// </summary>
public sealed class RunWorker(AssetProject project, RunQueue queue, BuildSweeper sweeper, RunExecutorFactory executors, IOptions<WorkerOptions> workerOptions,
    ILogger<RunWorker> logger)
{
    private readonly WorkerOptions _options = workerOptions.Value;

    /// <summary>The run this worker was executing when the run store went away, and why: failed as such once it answers.</summary>
    private (Guid RunId, string Reason)? _interrupted;

    /// <summary>Works until <paramref name="stopping"/> fires; a run in flight at that point is canceled.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        using var wake = new SemaphoreSlim(0);
        // LISTEN for new runs so an idle worker starts within milliseconds rather than at the next poll.
        var listening = queue.ListenAsync(() => wake.Release(), stopping);
        var swept = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                if (!swept)
                {
                    await sweeper.SweepAsync([], stopping);
                    swept = true;
                }

                // Before reaping: the run this worker lost to an outage is failed with that reason, not "stopped heartbeating".
                if (_interrupted is var (interruptedRun, reason))
                {
                    if (await queue.FailInterruptedAsync(interruptedRun, RunStoreRecorder.Worker, reason, stopping))
                    {
                        logger.LogWarning("Run {RunId} failed: {Reason}", interruptedRun, reason);
                        await sweeper.SweepAsync([interruptedRun], stopping);
                    }

                    _interrupted = null;
                }

                if (await queue.ReapAsync(_options.HeartbeatTimeout, stopping) is { Count: > 0 } reaped)
                {
                    await sweeper.SweepAsync(reaped, stopping);
                }

                if (await ExecuteNextAsync(stopping))
                {
                    continue;
                }
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && !stopping.IsCancellationRequested)
            {
                // PostgreSQL restarting or unreachable stops no worker: it claims again once the store answers.
                logger.LogWarning("Run store unreachable ({Message}); trying again in {Interval}", e.Message, _options.PollInterval);
            }

            try
            {
                await wake.WaitAsync(_options.PollInterval, stopping);
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
        var run = await queue.ClaimAsync(RunStoreRecorder.Worker, stopping, only);
        if (run is null)
        {
            return false;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = HeartbeatAsync(run.RunId, cancel, heartbeatStop.Token);
        var known = run.Plan.Where(project.Graph.Contains).ToList();
        var executor = executors.Create(run.Kind, run.Selection, "queue", _options.Parallelism, configure: run.Build.Apply);
        logger.LogInformation("Run {RunId} started: {Kind} {Assets} asset(s) of '{Selection}'", run.RunId, WireName.Of(run.Kind), known.Count, run.Selection);
        // The run continues the trace of the request that queued it (gateway, API, then this worker's run and its assets).
        using var queued = ActivityContext.TryParse(run.TraceParent, null, out var parent)
            ? EngineTelemetry.Source.StartActivity("queued run", ActivityKind.Consumer, parent)
            : null;
        queued?.SetTag("analytics.run_id", run.RunId.ToString());
        queued?.SetTag("analytics.worker", RunStoreRecorder.Worker);
        try
        {
            RunResult result;
            try
            {
                result = await executor.RunAsync(run.RunId, known, run.Kind == RunKind.Check, cancel.Token);
            }
            catch (Exception e) when (IsOutage(e) && !stopping.IsCancellationRequested)
            {
                _interrupted = (run.RunId, InterruptedReason(e));
                throw;
            }

            var failed = result.Steps.Where(s => s.Status != StepStatus.Succeeded).Select(s => $"{s.AssetKey} ({WireName.Of(s.Status)})").ToList();
            if (result.Succeeded)
            {
                logger.LogInformation("Run {RunId} succeeded: {Assets} asset(s) in {Seconds:0.0} s", run.RunId, result.Steps.Count, result.Duration.TotalSeconds);
            }
            else
            {
                logger.LogWarning("Run {RunId} {Status} after {Seconds:0.0} s: {Failed}", run.RunId, WireName.Of(result.Status), result.Duration.TotalSeconds,
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

    /// <summary>PostgreSQL unreachable, restarting or timing out, as opposed to a fault of the run itself.</summary>
    private static bool IsOutage(Exception e) => e switch
    {
        // admin_shutdown, crash_shutdown, cannot_connect_now: the server going down or not up yet.
        PostgresException postgres => postgres.SqlState is "57P01" or "57P02" or "57P03",
        // Npgsql's own (not the server's) errors are the connection's: refused, reset, timed out, broken.
        NpgsqlException or TimeoutException => true,
        _ => false,
    };

    private static string InterruptedReason(Exception e)
    {
        var message = e.Message.ReplaceLineEndings(" ");
        return $"interrupted: worker {RunStoreRecorder.Worker} lost its connection to PostgreSQL at {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC "
               + $"({(message.Length > 200 ? message[..200] + "…" : message)}); retry the run to re-execute its unfinished steps";
    }

    private async Task HeartbeatAsync(Guid runId, CancellationTokenSource cancel, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(_options.HeartbeatInterval, stop);
                try
                {
                    if (await queue.HeartbeatAsync(runId, stop) && !cancel.IsCancellationRequested)
                    {
                        await cancel.CancelAsync();
                    }
                }
                catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && !stop.IsCancellationRequested)
                {
                    // A missed beat is no reason to stop beating: a short outage must not get a live run reaped.
                    logger.LogDebug("Heartbeat of run {RunId} missed: {Message}", runId, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The run finished; the heartbeat's job is done.
        }
    }
}
