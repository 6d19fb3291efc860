using Analytics.RunStore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration;

/// <summary>
/// Fails the runs of workers that stopped heartbeating, for a process that runs no worker itself (the API when
/// workers are separate), so a crashed worker's run is reported even when no other worker is alive.
/// </summary>
public sealed class RunReaperService(BuildSweeper sweeper, RunQueue queue, IOptions<WorkerOptions> options,
    ILogger<RunReaperService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var reaped = await queue.ReapAsync(options.Value.HeartbeatTimeout, stoppingToken);
                foreach (var runId in reaped)
                {
                    logger.LogWarning("Run {RunId} failed: no heartbeat within {Timeout}; its error says why", runId, options.Value.HeartbeatTimeout);
                }

                if (reaped.Count > 0)
                {
                    await sweeper.SweepAsync(reaped, stoppingToken);
                }
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL restarting or unreachable is no reason to stop the API: try again at the next beat.
                logger.LogWarning("Run store unreachable ({Message}); reaping again in {Interval}", e.Message, options.Value.HeartbeatInterval);
            }

            await Task.Delay(options.Value.HeartbeatInterval, stoppingToken);
        }
    }
}
