using Analytics.RunStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration;

/// <summary>Hosts a <see cref="RunWorker"/>, and prunes old run events once an hour.</summary>
public sealed class RunWorkerService(AnalyticsServices services, IOptions<WorkerOptions> options, ILogger<RunWorkerService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Worker {Worker} taking queued runs", RunStoreRecorder.Worker);
        var pruning = PruneAsync(stoppingToken);
        var worker = new RunWorker(services, options.Value, logger);
        await worker.RunAsync(stoppingToken);
        await pruning.ContinueWith(_ => { }, TaskScheduler.Default);
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
