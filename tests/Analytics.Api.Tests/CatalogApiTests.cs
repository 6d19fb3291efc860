using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>The endpoints of interfaces.md against the shipped asset graph and a real run store.</summary>
public sealed class CatalogApiTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _db;
    private readonly ApiHost _api;

    public CatalogApiTests(DatabaseFixture db)
    {
        _db = db;
        _api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets);
    }

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Assets_list_every_declared_asset_with_lineage()
    {
        var assets = await (await _api.Client().GetAsync("/api/assets")).JsonAsync();

        var stg = assets.EnumerateArray().Single(a => a.GetProperty("key").GetString() == "stg_events");
        Assert.Equal("staging", stg.GetProperty("layer").GetString());
        Assert.Contains("dim_users", stg.GetProperty("downstream").EnumerateArray().Select(d => d.GetString()));
        Assert.Contains(assets.EnumerateArray(), a => a.GetProperty("key").GetString() == "growth_metrics");
    }

    [Fact]
    public async Task Unknown_asset_is_404_problem_with_the_closest_names()
    {
        var response = await _api.Client().GetAsync("/api/assets/growth_metric");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal("growth_metrics", problem.GetProperty("closest")[0].GetString());
    }

    [Fact]
    public async Task Bad_selection_is_400_pointing_at_the_token()
    {
        var response = await _api.Client().GetAsync("/api/graph?select=" + Uri.EscapeDataString("tag:core and +fct_evnts"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal(14, problem.GetProperty("position").GetInt32());
        Assert.Contains("fct_events", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Graph_returns_the_selected_nodes_and_their_edges()
    {
        var graph = await (await _api.Client().GetAsync("/api/graph?select=%2Bfct_events")).JsonAsync();

        Assert.Equal(["raw_events", "raw_users", "stg_events", "stg_users", "snap_users", "user_activity_days", "dim_users", "fct_events"], graph.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("key").GetString()));
        Assert.Contains(graph.GetProperty("edges").EnumerateArray(), e => e.GetProperty("from").GetString() == "stg_events" && e.GetProperty("to").GetString() == "fct_events");

        // Partitions: an asset without date partitions is a 409 naming those that have them; an unknown one a 404.
        var plain = await _api.Client().GetAsync("/api/assets/quick_ratio_analysis/partitions");
        Assert.Equal(HttpStatusCode.Conflict, plain.StatusCode);
        Assert.Contains("fct_events", await plain.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await _api.Client().GetAsync("/api/assets/no_such/partitions")).StatusCode);
        var never = await (await _api.Client().GetAsync("/api/assets/fct_events/partitions")).JsonAsync();
        Assert.Equal("day", never.GetProperty("grain").GetString());

        // A selection of nothing names the term that matched nothing, as the CLI does.
        var empty = await _api.Client().GetAsync("/api/graph?select=tag%3Anosuchtag");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Contains("no asset has the tag 'nosuchtag'", await empty.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task Writes_without_the_right_key_are_401(string? key)
    {
        var client = _api.Client(withKey: false);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        var response = await client.PostRunAsync("*");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain(ApiHost.ApiKey, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_materialization_requested_over_http_runs_and_shows_in_the_cli_list()
    {
        var csv = TestFiles.Csv(TestFiles.Header, "2025-01-01 10:00:00,api_user,like,,,ios,organic,SG", "2025-01-08 10:00:00,api_user,share,,,ios,organic,SG");
        var settings = new AnalyticsSettings(_db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        Assert.Equal(0, await CliApp.RunAsync(["ingest", csv], TextWriter.Null, TextWriter.Null, settings));
        var client = _api.Client();
        var before = await (await client.GetAsync("/api/assets")).JsonAsync();

        var accepted = await client.PostRunAsync("+growth_metrics");
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var runId = (await accepted.JsonAsync()).GetProperty("run_id").GetString()!;
        Assert.Equal($"/api/runs/{runId}", accepted.Headers.Location?.ToString());
        var run = await client.WaitForRunAsync(runId);

        Assert.Equal("succeeded", run.GetProperty("status").GetString());
        Assert.All(run.GetProperty("steps").EnumerateArray(), s => Assert.True(s.GetProperty("duration_ms").GetDouble() >= 0));
        var list = new StringWriter();
        await CliApp.RunAsync(["list", "growth_metrics"], list, list, settings);
        Assert.Matches(@"growth_metrics\s+marts\s+incremental\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+8\s+succeeded", list.ToString());
        // The listing was cached before the run; the workers' notifications must have dropped it.
        var after = await (await client.GetAsync("/api/assets")).JsonAsync();
        JsonElement Growth(JsonElement assets) => assets.EnumerateArray().Single(a => a.GetProperty("key").GetString() == "growth_metrics");
        Assert.Equal(JsonValueKind.Null, Growth(before).GetProperty("rows").ValueKind);
        Assert.Equal(8, Growth(after).GetProperty("rows").GetInt64());
        Assert.Equal("succeeded", Growth(after).GetProperty("last_status").GetString());
        var runs = await (await client.GetAsync("/api/runs?page=1&page_size=5")).JsonAsync();
        Assert.Contains(runs.GetProperty("runs").EnumerateArray(), r => r.GetProperty("run_id").GetString() == runId);

        var preview = await (await client.GetAsync("/api/assets/growth_metrics/preview?limit=3")).JsonAsync();
        Assert.Equal(3, preview.GetProperty("rows").GetArrayLength());
        Assert.Equal("date", preview.GetProperty("columns")[0].GetProperty("name").GetString());
        var detail = await (await client.GetAsync("/api/assets/growth_metrics")).JsonAsync();
        Assert.Equal(8, detail.GetProperty("latest_materialization").GetProperty("rows").GetInt64());
        Assert.Contains("\"core\".\"growth_accounting\"", detail.GetProperty("compiled_sql").GetString());
        Assert.All(detail.GetProperty("check_results").EnumerateArray(), c => Assert.True(c.GetProperty("passed").GetBoolean()));

        var history = await (await client.GetAsync("/api/assets/growth_metrics/materializations?limit=5")).JsonAsync();
        var latest = history.EnumerateArray().Last();
        Assert.Equal(runId, latest.GetProperty("run_id").GetString());
        Assert.Equal(8, latest.GetProperty("rows").GetInt64());
        var succeeded = await (await client.GetAsync("/api/runs?status=succeeded")).JsonAsync();
        Assert.Contains(succeeded.GetProperty("runs").EnumerateArray(), r => r.GetProperty("run_id").GetString() == runId);
        var failed = await (await client.GetAsync("/api/runs?status=failed")).JsonAsync();
        Assert.DoesNotContain(failed.GetProperty("runs").EnumerateArray(), r => r.GetProperty("run_id").GetString() == runId);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/runs?status=done")).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_routes()
    {
        var document = await (await _api.Client().GetAsync("/openapi/v1.json")).JsonAsync();
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/runs/{id}/events", paths);
        Assert.Contains("/api/assets/{key}/preview", paths);
    }

    [Fact]
    public async Task Health_is_ready_when_the_run_store_is_migrated()
    {
        Assert.Equal("Healthy", await _api.Client().GetStringAsync("/health"));
        Assert.Equal("Healthy", await _api.Client().GetStringAsync("/alive"));
    }
}
