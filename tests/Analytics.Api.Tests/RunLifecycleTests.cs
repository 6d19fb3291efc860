using System.Net;
using System.Text.Json;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>Runs over HTTP with the in-process worker: live events, cancel, retry conflicts, overlapping runs.</summary>
public sealed class RunLifecycleTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _db;
    private readonly ApiHost _api;

    public RunLifecycleTests(DatabaseFixture db)
    {
        _db = db;
        _api = new ApiHost(db.ConnectionString, DemoAssets.Write(slowSeconds: 1.5));
    }

    public void Dispose() => _api.Dispose();

    private async Task<string> StartAsync(HttpClient client, string selection)
    {
        var response = await client.PostRunAsync(selection);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("run_id").GetString()!;
    }

    /// <summary>Reads the SSE stream to its end: (event name, data) pairs.</summary>
    private static async Task<List<(string Kind, JsonElement Data, string Id)>> ReadEventsAsync(HttpClient client, string runId, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{runId}/events");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string, JsonElement, string)>();
        string? kind = null, data = null, id = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0 && kind is not null)
            {
                events.Add((kind, JsonDocument.Parse(data!).RootElement, id!));
                kind = data = id = null;
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                id = line[4..];
            }
        }

        return events;
    }

    [Fact]
    public async Task A_client_that_connects_mid_run_gets_what_happened_so_far_then_the_rest_live()
    {
        var client = _api.Client();
        var runId = await StartAsync(client, "+after_slow");
        while ((await client.GetStringAsync($"/api/runs/{runId}")).Contains("\"asset_key\":\"slow\",\"status\":\"running\"") is false)
        {
            await Task.Delay(50);
        }

        var events = await ReadEventsAsync(client, runId);

        var kinds = events.Select(e => e.Kind).ToList();
        Assert.Equal("run_queued", kinds[0]);
        Assert.Equal("run_finished", kinds[^1]);
        Assert.Contains(events, e => e.Kind == "step_finished" && e.Data.GetProperty("asset_key").GetString() == "after_slow");
        Assert.Equal(events.Select(e => long.Parse(e.Id)).Order(), events.Select(e => long.Parse(e.Id)));

        var resumed = await ReadEventsAsync(client, runId, lastEventId: events[^3].Id);
        Assert.Equal(events.TakeLast(2).Select(e => e.Id), resumed.Select(e => e.Id));
    }

    [Fact]
    public async Task A_runs_steps_keep_the_order_of_its_plan_while_it_runs_and_after()
    {
        // Issue 26, item 6: the step list reshuffled as steps started and when the run finished.
        var client = _api.Client();
        var runId = await StartAsync(client, "+after_slow");
        var seen = new HashSet<string>();
        string status;
        do
        {
            using var run = JsonDocument.Parse(await client.GetStringAsync($"/api/runs/{runId}"));
            status = run.RootElement.GetProperty("status").GetString()!;
            seen.Add(string.Join(",", run.RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("asset_key").GetString())));
            await Task.Delay(50);
        }
        while (status is "queued" or "running");

        Assert.Equal(["quick,slow,after_slow"], seen);
    }

    [Fact]
    public async Task Cancel_stops_a_running_run_and_leaves_the_old_table()
    {
        var client = _api.Client();
        await client.WaitForRunAsync(await StartAsync(client, "+slow"));
        var oldSlept = await _db.ScalarAsync<string>("select slept from demo.slow");
        var runId = await StartAsync(client, "+after_slow");
        while (!(await client.GetStringAsync($"/api/runs/{runId}")).Contains("\"asset_key\":\"slow\",\"status\":\"running\""))
        {
            await Task.Delay(50);
        }

        var retryWhileRunning = await client.PostAsync($"/api/runs/{runId}/retry", null);
        var cancel = await client.PostAsync($"/api/runs/{runId}/cancel", null);
        var run = await client.WaitForRunAsync(runId, TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.Conflict, retryWhileRunning.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal("canceled", run.GetProperty("status").GetString());
        Assert.Equal("canceled", run.Status("slow"));
        Assert.Equal("canceled", run.Status("after_slow"));
        Assert.Equal(oldSlept, await _db.ScalarAsync<string>("select slept from demo.slow"));
        Assert.Equal(0L, await _db.ScalarAsync<long>("select count(*) from pg_tables where tablename like '%building%'"));
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/runs/{runId}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task Retry_of_a_succeeded_run_is_a_conflict_and_unknown_runs_are_404()
    {
        var client = _api.Client();
        var runId = await StartAsync(client, "quick");
        await client.WaitForRunAsync(runId);

        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"/api/runs/{runId}/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/runs/{Guid.NewGuid()}")).StatusCode);
    }
}
