using Analytics.Core.Scheduling;
using Analytics.RunStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration;

/// <summary>Hosts a <see cref="RunWorker"/>, fires due schedule ticks when enabled, and prunes old run events once an hour.</summary>
public sealed class RunWorkerService(AnalyticsServices services, AnalyticsSettings settings, IOptions<WorkerOptions> options, ILogger<RunWorkerService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Worker {Worker} taking queued runs", RunStoreRecorder.Worker);
        var pruning = PruneAsync(stoppingToken);
        var scheduling = options.Value.Schedules ? ScheduleAsync(stoppingToken) : Task.CompletedTask;
        var worker = new RunWorker(services, options.Value, logger);
        await worker.RunAsync(stoppingToken);
        await pruning.ContinueWith(_ => { }, TaskScheduler.Default);
        await scheduling.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task ScheduleAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<Schedule> schedules;
        try
        {
            schedules = ScheduleFile.Load(AnalyticsEnvironment.AssetsFolder(settings));
        }
        catch (Analytics.Core.Assets.AssetDeclarationException e)
        {
            // A broken schedules.yml stops the schedules, not the worker: queued runs still execute.
            logger.LogError("Schedules off: {Problem}", e.Message);
            return;
        }

        logger.LogInformation("Worker {Worker} firing {Count} schedule(s): {Names}", RunStoreRecorder.Worker, schedules.Count, string.Join(", ", schedules.Select(s => s.Name)));
        var evaluator = new ScheduleEvaluator(services, schedules, RunStoreRecorder.Worker, TimeProvider.System, logger);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await evaluator.EvaluateAsync(stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Run store unreachable ({Message}); evaluating schedules again in {Interval}", e.Message, options.Value.ScheduleInterval);
            }
            catch (Analytics.Core.Selection.SelectionException e)
            {
                logger.LogError("A schedule's selection does not parse ({Problem}); fix schedules.yml", e.Message);
            }

            await Task.Delay(options.Value.ScheduleInterval, stoppingToken);
        }
    }

    private async Task PruneAsync(CancellationToken stoppingToken)
    {
        var queue = new RunQueue(services.RunStore);
        while (!stoppingToken.IsCancellationRequested)
        {
            var pruned = await queue.PruneEventsAsync(options.Value.EventRetention, stoppingToken);
            if (pruned > 0)
            {
                logger.LogInformation("Pruned {Count} run events older than {Retention}", pruned, options.Value.EventRetention);
            }

            await Task.Delay(TimeSpan.FromHours(1), stoppingToken);
        }
    }
}
