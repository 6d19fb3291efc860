using Analytics.Orchestration;
using Analytics.Postgres.Server;
using Analytics.RunStore;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.Orchestration.Tests;

/// <summary>
/// Issue 25, finding 11: a run interrupted by a PostgreSQL outage said "worker stopped heartbeating", which sent
/// people looking for a dead worker. Its failure now says the database was lost, whoever records it first.
/// </summary>
public sealed class RunInterruptionTests : IAsyncLifetime
{
    private readonly DatabaseFixture _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private static string SlowAssets() => TestFiles.Assets(new Dictionary<string, string>
    {
        ["core/slow.sql"] = "select 1 as x from (select pg_sleep(4)) pause",
    });

    private async Task<(string Status, string? Error)> RunAsync(Guid runId)
    {
        var row = (await _db.RowsAsync($"select status, error from runstore.runs where run_id = '{runId}'")).Single();
        return ((string)row[0]!, row[1] as string);
    }

    private async Task WaitForAsync(Guid runId, Func<(string Status, string? Error), bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition(await RunAsync(runId)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} never {what}: {await RunAsync(runId)}");
            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_whose_worker_loses_postgres_fails_saying_so_even_when_another_process_reaped_it_first(bool reapedMeanwhile)
    {
        await using var cutter = new TcpCutter(new NpgsqlConnectionStringBuilder(_db.ConnectionString).Port);
        await using var throughCutter = PostgresDataSources.Create(
            new NpgsqlConnectionStringBuilder(_db.ConnectionString) { Port = cutter.Port, Timeout = 2 }.ConnectionString);
        await using var services = TestServices.Create(throughCutter, SlowAssets(), o =>
        {
            o.PollInterval = TimeSpan.FromMilliseconds(100);
            o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
            o.HeartbeatTimeout = TimeSpan.FromSeconds(1);
        });
        var worker = services.GetRequiredService<RunWorker>();
        var queue = new RunQueue(_db.DataSource);
        var runId = await queue.EnqueueAsync("slow", ["slow"], "test");
        using var stop = new CancellationTokenSource();
        var working = worker.RunAsync(stop.Token);

        await WaitForAsync(runId, r => r.Status == "running", "started");
        await Task.Delay(500);
        cutter.Cut();
        if (reapedMeanwhile)
        {
            // The API's reaper reaches PostgreSQL directly: it sees only a silent worker.
            await Task.Delay(1_500);
            Assert.Contains(runId, await queue.ReapAsync(TimeSpan.FromSeconds(1), CancellationToken.None));
            Assert.Contains("stopped heartbeating", (await RunAsync(runId)).Error);
        }
        else
        {
            await Task.Delay(500);
        }

        cutter.Restore();
        await WaitForAsync(runId, r => r.Error?.StartsWith("interrupted:", StringComparison.Ordinal) == true, "said it was interrupted");

        var (status, error) = await RunAsync(runId);
        Assert.Equal("failed", status);
        Assert.Contains($"worker {RunStoreRecorder.Worker} lost its connection to PostgreSQL at", error);
        Assert.EndsWith("retry the run to re-execute its unfinished steps", error);
        Assert.Equal(error, await _db.ScalarAsync<string>($"select error from runstore.steps where run_id = '{runId}' and asset_key = 'slow'"));
        Assert.Equal(reapedMeanwhile ? "run_interrupted" : "run_finished",
            await _db.ScalarAsync<string>($"select kind from runstore.events where run_id = '{runId}' order by event_id desc limit 1"));
        // Nothing is reaped twice and the worker goes on taking runs.
        Assert.Empty(await queue.ReapAsync(TimeSpan.Zero, CancellationToken.None));
        Assert.False(working.IsCompleted, working.Exception?.ToString());
        await stop.CancelAsync();
        await working.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_run_reaped_after_postgres_restarted_under_it_says_the_database_restarted()
    {
        var root = Path.Combine(Path.GetTempPath(), $"analytics-restart-{Guid.NewGuid():N}");
        var options = new EmbeddedPostgresOptions { Durable = false, SharedBuffers = "32MB" };
        try
        {
            Guid runId;
            await using (var first = await EmbeddedPostgres.StartAsync(root, options))
            await using (var store = PostgresDataSources.Create(first.ConnectionString()))
            {
                await RunStoreMigrations.ApplyAsync(store);
                var queue = new RunQueue(store);
                runId = await queue.EnqueueAsync("slow", ["slow"], "test");
                Assert.NotNull(await queue.ClaimAsync("worker-a", CancellationToken.None));
            }

            await using var second = await EmbeddedPostgres.StartAsync(root, options);
            await using var restarted = PostgresDataSources.Create(second.ConnectionString());

            Assert.Equal([runId], await new RunQueue(restarted).ReapAsync(TimeSpan.Zero, CancellationToken.None));

            await using var command = restarted.CreateCommand($"select error from runstore.runs where run_id = '{runId}'");
            var error = (string)(await command.ExecuteScalarAsync())!;
            Assert.StartsWith("interrupted: PostgreSQL restarted at ", error);
            Assert.Contains("after the last heartbeat of worker worker-a", error);
        }
        finally
        {
            EmbeddedPostgres.Delete(root);
        }
    }
}
