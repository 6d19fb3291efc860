using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Analytics.Orchestration.Tests;

/// <summary>
/// PostgreSQL restarting or unreachable stops neither a worker nor the API's reaper: they log, wait and try again.
/// (Found by the new-user check: the data folder went away under a running app, and the API host stopped on the
/// reaper's unhandled NpgsqlException.)
/// </summary>
public class RunStoreOutageTests
{
    // Port 1 on loopback: nothing listens, so every connection is refused at once.
    private static ServiceProvider Unreachable(Action<WorkerOptions> worker) =>
        TestServices.Create(NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=x;Password=x;Timeout=1"), TestFiles.RepositoryAssets, worker);

    [Fact]
    public async Task The_reaper_keeps_running_while_the_run_store_is_unreachable()
    {
        await using var services = Unreachable(o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(50));
        var reaper = ActivatorUtilities.CreateInstance<RunReaperService>(services);

        await reaper.StartAsync(CancellationToken.None);
        await Task.Delay(600);

        Assert.False(reaper.ExecuteTask!.IsCompleted, reaper.ExecuteTask.Exception?.ToString());
        await reaper.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_worker_keeps_trying_while_the_run_store_is_unreachable()
    {
        await using var services = Unreachable(o => o.PollInterval = TimeSpan.FromMilliseconds(50));
        var worker = services.GetRequiredService<RunWorker>();
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
