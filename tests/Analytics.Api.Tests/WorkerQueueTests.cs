using System.Net;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>Workers in separate processes sharing one queue: no run twice, waits on shared assets, a killed worker.</summary>
public sealed class WorkerQueueTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _db;
    private readonly string _assets = DemoAssets.Write(slowSeconds: 2.5);
    private readonly ApiHost _api;
    private readonly List<WorkerProcess> _workers = [];

    public WorkerQueueTests(DatabaseFixture db)
    {
        _db = db;
        _api = new ApiHost(db.ConnectionString, _assets, inProcessWorker: false);
    }

    public void Dispose()
    {
        _workers.ForEach(w => w.Dispose());
        _api.Dispose();
    }

    private Task<WorkerProcess> StartWorkerAsync()
    {
        var worker = new WorkerProcess(_db.ConnectionString, _assets);
        _workers.Add(worker);
        return worker.ReadyAsync();
    }

    private async Task<string> StartAsync(HttpClient client, string selection) =>
        (await (await client.PostRunAsync(selection)).JsonAsync()).GetProperty("run_id").GetString()!;

    [Fact]
    public async Task Two_workers_share_the_queue_and_no_run_is_executed_twice()
    {
        var workers = await Task.WhenAll(StartWorkerAsync(), StartWorkerAsync());
        var client = _api.Client();
        var runs = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            runs.Add(await StartAsync(client, "quick"));
        }

        foreach (var run in runs)
        {
            Assert.Equal("succeeded", (await client.WaitForRunAsync(run)).GetProperty("status").GetString());
        }

        var ids = string.Join(",", runs.Select(r => $"'{r}'"));
        // Each run did its one step once: built quick, or (once a run before it had built it) found it up to date.
        const string outcomes = "select run_id from runstore.materializations where run_id in ({0}) "
                                + "union all select run_id from runstore.events where kind = 'incremental' and message like 'up to date%' and run_id in ({0})";
        Assert.Equal(12L, await _db.ScalarAsync<long>($"select count(*) from ({string.Format(outcomes, ids)}) o"));
        Assert.Equal(12L, await _db.ScalarAsync<long>($"select count(distinct run_id) from ({string.Format(outcomes, ids)}) o"));
        var names = workers.Select(w => $"'{w.Name}'");
        Assert.Equal(12L, await _db.ScalarAsync<long>($"select count(*) from runstore.runs where run_id in ({ids}) and worker in ({string.Join(",", names)})"));
    }

    [Fact]
    public async Task Overlapping_runs_on_two_workers_wait_for_the_asset_and_say_so()
    {
        await Task.WhenAll(StartWorkerAsync(), StartWorkerAsync());
        var client = _api.Client();
        await client.WaitForRunAsync(await StartAsync(client, "quick"));
        var first = await StartAsync(client, "slow");
        var second = await StartAsync(client, "slow");

        Assert.Equal("succeeded", (await client.WaitForRunAsync(first)).GetProperty("status").GetString());
        Assert.Equal("succeeded", (await client.WaitForRunAsync(second)).GetProperty("status").GetString());

        var waits = await _db.ScalarAsync<long>(
            $"select count(*) from runstore.events where run_id in ('{first}', '{second}') and kind = 'step_waiting' and asset_key = 'slow'");
        var overlapping = await _db.ScalarAsync<long>($"""
            select count(*) from runstore.steps a join runstore.steps b on a.asset_key = b.asset_key and a.run_id = '{first}' and b.run_id = '{second}'
            where a.started_at < b.finished_at and b.started_at < a.finished_at
            """);
        var story = await _db.ScalarAsync<string>($"""
            select string_agg(r.worker || ' ' || e.kind || ' ' || coalesce(e.asset_key, '') || ' ' || to_char(e.at, 'SS.MS'), E'\n' order by e.event_id)
            from runstore.events e join runstore.runs r using (run_id) where run_id in ('{first}', '{second}')
            """);
        Assert.True(waits == 1, story);
        Assert.Equal(0, overlapping);
    }

    [Fact]
    public async Task A_killed_worker_fails_its_run_and_retry_re_executes_only_the_unfinished_steps()
    {
        var doomed = await StartWorkerAsync();
        var client = _api.Client();
        var runId = await StartAsync(client, "+after_slow");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await client.GetStringAsync($"/api/runs/{runId}")).Contains("\"asset_key\":\"slow\",\"status\":\"running\""))
        {
            Assert.True(DateTime.UtcNow < deadline, "slow never started running");
            await Task.Delay(50);
        }

        doomed.KillHard();
        await StartWorkerAsync();
        var failed = await client.WaitForRunAsync(runId, TimeSpan.FromSeconds(30));

        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Contains($"worker {doomed.Name} stopped heartbeating", failed.GetProperty("error").GetString());
        Assert.Equal("succeeded", failed.Status("quick"));
        Assert.Equal("failed", failed.Status("slow"));

        var retry = await client.PostAsync($"/api/runs/{runId}/retry", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var retryId = (await retry.JsonAsync()).GetProperty("run_id").GetString()!;
        var retried = await client.WaitForRunAsync(retryId);

        Assert.Equal("succeeded", retried.GetProperty("status").GetString());
        Assert.Equal(runId, retried.GetProperty("parent_run_id").GetString());
        Assert.Equal(["after_slow", "slow"], retried.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("asset_key").GetString()).Order());
        // quick finished in the first run (built, or up to date): the retry does not touch it.
        Assert.Equal(0L, await _db.ScalarAsync<long>($"select count(*) from runstore.steps where asset_key = 'quick' and run_id = '{retryId}'"));
    }
}
