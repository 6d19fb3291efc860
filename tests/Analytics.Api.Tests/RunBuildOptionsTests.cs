using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>
/// Full refresh and backfill asked over HTTP (the asset page's buttons) reach the worker through the queue and build
/// as the CLI's --full-refresh and 'backfill' do; each step's warehouse statements come back with their timings.
/// </summary>
public sealed class RunBuildOptionsTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _db;
    private readonly ApiHost _api;

    public RunBuildOptionsTests(DatabaseFixture db)
    {
        _db = db;
        _api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets);
    }

    public void Dispose() => _api.Dispose();

    private async Task<JsonElement> RunAsync(HttpClient client, object body)
    {
        var accepted = await client.PostAsJsonAsync("/api/runs", body);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var run = await client.WaitForRunAsync((await accepted.JsonAsync()).GetProperty("run_id").GetString()!);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        return run;
    }

    private async Task<List<JsonElement>> EventsAsync(string runId, string kind, string asset) =>
        (await _db.RowsAsync($"select payload::text from runstore.events where run_id = '{runId}' and kind = '{kind}' and asset_key = '{asset}' order by event_id"))
        .Select(r => JsonDocument.Parse((string)r[0]!).RootElement).ToList();

    [Fact]
    public async Task A_backfill_and_a_full_refresh_queued_over_http_build_as_the_cli_does_and_each_step_lists_its_statements()
    {
        var csv = TestFiles.Csv(TestFiles.Header,
            "2025-01-01 10:00:00,u1,like,,,ios,organic,SG", "2025-01-02 10:00:00,u1,share,,,ios,organic,SG",
            "2025-01-02 11:00:00,u2,like,,,android,organic,SG", "2025-01-03 10:00:00,u2,like,,,android,organic,SG");
        Assert.Equal(0, await CliApp.RunAsync(["ingest", csv], TextWriter.Null, TextWriter.Null, new AnalyticsSettings(_db.ConnectionString, null, null, TestFiles.RepositoryAssets)));
        var client = _api.Client();
        var first = await RunAsync(client, new { selection = "+fct_events" });
        Assert.False(first.GetProperty("full_refresh").GetBoolean());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("backfill_from").ValueKind);

        var backfill = await RunAsync(client, new { selection = "fct_events", backfill = new { from = "2025-01-02", to = "2025-01-02" } });

        var backfillId = backfill.GetProperty("run_id").GetString()!;
        Assert.Equal("2025-01-02", backfill.GetProperty("backfill_from").GetString());
        Assert.Equal("2025-01-02", backfill.GetProperty("backfill_to").GetString());
        var built = Assert.Single(await EventsAsync(backfillId, "incremental", "fct_events"));
        var partition = Assert.Single(built.GetProperty("partitions").EnumerateArray());
        Assert.Equal("2025-01-02", partition.GetProperty("start").GetString());
        Assert.Equal("backfill", partition.GetProperty("reason").GetString());
        var partitions = await (await client.GetAsync("/api/assets/fct_events/partitions")).JsonAsync();
        Assert.Equal(["full", "backfill", "full"],
            partitions.GetProperty("partitions").EnumerateArray().OrderBy(p => p.GetProperty("start").GetString()).Select(p => p.GetProperty("reason").GetString()));

        // The step's statements: the warehouse's (the delete and insert of that day, its checks), none of the run store's bookkeeping.
        var statements = Assert.Single(await EventsAsync(backfillId, "step_finished", "fct_events")).GetProperty("statements").EnumerateArray().ToList();
        Assert.NotEmpty(statements);
        Assert.All(statements, s => Assert.DoesNotContain("runstore.", s.GetProperty("sql").GetString()));
        Assert.All(statements, s => Assert.True(s.GetProperty("duration_ms").GetDouble() >= 0 && s.GetProperty("start_ms").GetDouble() >= 0));
        Assert.Contains(statements, s => s.GetProperty("sql").GetString()!.Contains("insert into", StringComparison.OrdinalIgnoreCase)
                                         && s.GetProperty("sql").GetString()!.Contains("fct_events"));
        Assert.Equal(statements.Select(s => s.GetProperty("start_ms").GetDouble()).Order(), statements.Select(s => s.GetProperty("start_ms").GetDouble()));

        var full = await RunAsync(client, new { selection = "fct_events", full_refresh = true });

        Assert.True(full.GetProperty("full_refresh").GetBoolean());
        var whole = Assert.Single(await EventsAsync(full.GetProperty("run_id").GetString()!, "incremental", "fct_events"));
        Assert.Contains("full refresh requested", whole.GetProperty("reason").GetString());
        Assert.Contains("(full refresh)", await _db.ScalarAsync<string>(
            $"select message from runstore.events where run_id = '{full.GetProperty("run_id").GetString()}' and kind = 'run_queued'"));
    }

    [Theory]
    [InlineData("""{"selection": "fct_events", "full_refresh": true, "backfill": {"from": "2025-01-01", "to": "2025-01-02"}}""", "send backfill alone")]
    [InlineData("""{"selection": "fct_events", "checks_only": true, "backfill": {"from": "2025-01-01", "to": "2025-01-02"}}""", "send backfill alone")]
    [InlineData("""{"selection": "fct_events", "checks_only": true, "full_refresh": true}""", "send one of them")]
    [InlineData("""{"selection": "fct_events", "backfill": {"from": "2025-01-03", "to": "2025-01-02"}}""", "is before backfill.from")]
    [InlineData("""{"selection": "fct_events", "backfill": {"from": "2025-02-30", "to": "2025-03-02"}}""", "backfill.from=2025-02-30 is not a date")]
    [InlineData("""{"selection": "fct_events", "backfill": {"from": "2025-01-01"}}""", "backfill.to is missing")]
    [InlineData("""{"selection": "fct_events", "backfill": {"from": "2000-01-01", "to": "2099-12-31"}}""", "spans more than 3660 days")]
    [InlineData("""{"selection": "fct_events", "backfill": {"from": "2025-01-01", "to": "2025-01-02", "step": 1}}""", "not the JSON this endpoint takes")]
    [InlineData("""{"selection": "fct_events", "backfill": "2025-01-01"}""", "not the JSON this endpoint takes")]
    public async Task A_contradictory_or_malformed_build_option_is_a_400_that_says_what_to_send(string body, string expected)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        var response = await _api.Client().PostAsync("/api/runs", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(0L, await _db.ScalarAsync<long>("select count(*) from runstore.runs where backfill_from is not null and backfill_from > '2025-01-02' or backfill_to < backfill_from"));
    }
}
