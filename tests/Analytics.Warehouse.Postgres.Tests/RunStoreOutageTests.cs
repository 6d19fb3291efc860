using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// PostgreSQL restarting or unreachable stops neither a worker nor the API's reaper: they log, wait and try again.
/// (Found by the new-user check: the data folder went away under a running app, and the API host stopped on the
/// reaper's unhandled NpgsqlException.)
/// </summary>
public class RunStoreOutageTests
{
    private static AnalyticsServices Unreachable()
    {
        // Port 1 on loopback: nothing listens, so every connection is refused at once.
        var store = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=1");
        var project = AnalyticsEnvironment.LoadAssets(new AnalyticsSettings(null, null, null, TestFiles.RepositoryAssets));
        var warehouse = new PostgresWarehouse(store);
        return new AnalyticsServices(project, warehouse, store, new RunExecutorFactory(project, warehouse, store, new PostgresAssetLocks(store), new PostgresIntervalStore(store)));
    }

    [Fact]
    public async Task The_reaper_keeps_running_while_the_run_store_is_unreachable()
    {
        var services = Unreachable();
        var reaper = new RunReaperService(services, new RunQueue(services.RunStore), new PostgresAssetLocks(services.RunStore), Options.Create(new WorkerOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(50) }),
            NullLogger<RunReaperService>.Instance);

        await reaper.StartAsync(CancellationToken.None);
        await Task.Delay(600);

        Assert.False(reaper.ExecuteTask!.IsCompleted, reaper.ExecuteTask.Exception?.ToString());
        await reaper.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_worker_keeps_trying_while_the_run_store_is_unreachable()
    {
        var worker = new RunWorker(Unreachable(), new WorkerOptions { PollInterval = TimeSpan.FromMilliseconds(50) });
        using var stop = new CancellationTokenSource();

        var running = worker.RunAsync(stop.Token);
        await Task.Delay(600);

        Assert.False(running.IsCompleted, running.Exception?.ToString());
        stop.Cancel();
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
            // Stopping mid-connect ends the loop by cancellation, as a host's stop does.
        }
    }
}
