using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Analytics.AppHost.Tests;

/// <summary>The whole app on Aspire, used through the gateway as a person would.</summary>
[Collection(AppCollection.Name)]
public sealed class WholeAppTests(AppFixture app)
{
    private static readonly string[] Assets =
    [
        "raw_events", "stg_events", "dim_users", "fct_events", "user_activity_days", "user_activity_periods", "growth_accounting", "cohort_activity",
        "growth_metrics", "social_capital_growth_accounting", "quick_ratio_analysis", "retention_cohorts", "retention_quality_framework",
        "user_resurrection_analysis", "growth_drivers", "miles_analytics", "users_with_negative_miles", "acquisition_channel_retention",
        "category_engagement",
    ];

    [Fact]
    public async Task The_sample_job_builds_every_asset_and_the_marts_read_through_the_gateway()
    {
        var sample = await app.SnapshotAsync("sample-data");
        Assert.Equal(KnownResourceStates.Finished, sample.State?.Text);
        Assert.Equal(0, sample.ExitCode);
        foreach (var name in new[] { "postgres", "api", "worker", "gateway" })
        {
            Assert.Equal(HealthStatus.Healthy, (await app.SnapshotAsync(name)).HealthStatus);
        }

        var runs = await app.Gateway.GetFromJsonAsync<JsonElement>("/api/runs?page_size=200");
        // The sample job's run; a schedule may have fired the same selection, requested by schedule:NAME.
        var seeded = runs.GetProperty("runs").EnumerateArray().Single(r => r.GetProperty("selection").GetString() == "* and not tag:probe"
                                                                           && !r.GetProperty("requested_by").GetString()!.StartsWith("schedule:", StringComparison.Ordinal));
        Assert.Equal("succeeded", seeded.GetProperty("status").GetString());

        var assets = (await app.Gateway.GetFromJsonAsync<JsonElement>("/api/assets")).EnumerateArray()
            .ToDictionary(a => a.GetProperty("key").GetString()!);
        Assert.All(Assets, key => Assert.True(assets[key].GetProperty("rows").GetInt64() > 0, $"{key} has no rows"));
        Assert.True(assets["growth_metrics"].GetProperty("rows").GetInt64() > 100);

        var rows = await app.Gateway.GetFromJsonAsync<JsonElement>("/api/marts/quick_ratio_analysis/rows?limit=5");
        Assert.NotEmpty(rows.GetProperty("rows").EnumerateArray());
        Assert.Equal(200, (int)(await app.Gateway.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal("text/html", (await app.Gateway.GetAsync("/dashboards")).Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Without_a_container_engine_superset_says_so_and_only_the_publish_job_is_held_back()
    {
        var containers = ContainerRuntimeProbe();
        if (containers)
        {
            return; // the live test covers Superset where an engine answers
        }

        var superset = await app.Gateway.GetAsync("/superset/");
        Assert.Equal(404, (int)superset.StatusCode);
        Assert.Contains("not running", await superset.Content.ReadAsStringAsync());
        Assert.Equal(KnownResourceStates.NotStarted, (await app.SnapshotAsync("superset-publish")).State?.Text);
    }

    [Fact]
    public async Task The_dashboard_shows_why_postgres_is_healthy_links_into_the_web_ui_and_materializes_on_a_command()
    {
        var postgres = await app.SnapshotAsync("postgres");
        Assert.Contains(postgres.HealthReports, r => r.Description?.StartsWith("accepting connections on 127.0.0.1:", StringComparison.Ordinal) == true);
        Assert.Contains(postgres.Properties, p => p.Name == "postgres.source" && Equals(p.Value, "the machine's binaries"));
        var gateway = await app.SnapshotAsync("gateway");
        Assert.Contains(gateway.Urls, u => u.DisplayProperties.DisplayName == "Web UI: lineage" && u.Url.EndsWith("/lineage", StringComparison.Ordinal));
        Assert.Contains(gateway.Urls, u => u.DisplayProperties.DisplayName == "Web UI: dashboards");

        var commands = app.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync("api", "materialize-marts");

        Assert.True(result.Success, result.Message);
        Assert.Matches("^run [0-9a-f-]{36} of 'layer:marts' succeeded in [0-9.]+ s$", result.Message);
        var runs = await app.Gateway.GetFromJsonAsync<JsonElement>("/api/runs?page_size=5");
        Assert.Contains(runs.GetProperty("runs").EnumerateArray(), r => r.GetProperty("selection").GetString() == "layer:marts");
    }

    [Fact]
    public async Task The_cli_with_the_apps_home_joins_its_postgres_and_lists_what_the_app_built()
    {
        // Issue 26, item 3: beside the running app, 'analytics list' started a second cluster and showed every asset as never.
        var settings = new Analytics.Orchestration.AnalyticsSettings(null, null, app.Home, app.Assets);

        var (exit, output, error) = await Analytics.Testing.InProcessCli.RunAsync(settings, "list", "raw_events");

        Assert.True(exit == 0, error);
        Assert.Contains($"warehouse: the embedded PostgreSQL of {app.Home}, already running", error);
        Assert.DoesNotContain("never", output.Split('\n').Single(l => l.StartsWith("raw_events ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_request_header_that_is_not_ascii_passes_through_the_gateway_as_it_would_straight_to_the_api()
    {
        using var utf8 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 })
        {
            BaseAddress = app.Gateway.BaseAddress,
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/assets");
        request.Headers.TryAddWithoutValidation("X-Anything", "caf\u00e9 \u2615");

        var response = await utf8.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task A_run_queued_through_the_gateway_streams_its_events_live_to_the_end()
    {
        var runId = await app.QueueAsync("+growth_metrics");

        var events = await ReadEventsAsync(runId);

        var kinds = events.Select(e => e.Kind).ToList();
        Assert.Equal("run_queued", kinds[0]);
        Assert.Equal("run_finished", kinds[^1]);
        Assert.Equal("succeeded", events[^1].Data.GetProperty("payload").GetProperty("status").GetString());
        var finished = events.Where(e => e.Kind == "step_finished").Select(e => e.Data.GetProperty("asset_key").GetString()).ToHashSet();
        Assert.Contains("growth_metrics", finished);
        Assert.Contains("stg_events", finished);
        Assert.DoesNotContain("quick_ratio_analysis", finished);
    }

    [Fact]
    public async Task The_app_simulator_writes_appdb_and_its_sources_extract_by_watermark_into_the_top_ups_mart()
    {
        Assert.Equal(KnownResourceStates.Running, (await app.SnapshotAsync("app-simulator")).State?.Text);
        // What the every-minute schedule does: extract appdb's users and top-ups, then build what reads only them.
        var run = await app.WaitForRunAsync(await app.QueueAsync("+membership_transitions raw_topups+ +topups_by_channel"));

        Assert.True(run.GetProperty("status").GetString() == "succeeded", string.Join("\n", run.GetProperty("steps").EnumerateArray()
            .Where(s => s.GetProperty("status").GetString() != "succeeded").Select(s => $"{s.GetProperty("asset_key")}: {s.GetProperty("error")}")));
        var sources = (await app.Gateway.GetFromJsonAsync<JsonElement>("/api/sources")).EnumerateArray().ToDictionary(s => s.GetProperty("key").GetString()!);
        Assert.True(sources["raw_topups"].GetProperty("total_rows").GetInt64() > 100, sources["raw_topups"].GetRawText());
        // Every appdb user last changed before the watermark's position has been read; one the simulator changed within the
        // lag (30 s) is still due, which is the lag doing its job, so the 200 users of the history are not all counted.
        var position = DateTime.Parse(sources["raw_users"].GetProperty("state").GetProperty("position").GetString()!, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal);
        await using (var appdb = NpgsqlDataSource.Create((await app.App.GetConnectionStringAsync("appdb"))!))
        await using (var due = appdb.CreateCommand("select count(*) from users where updated_at < $1"))
        {
            due.Parameters.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(position, DateTimeKind.Utc) });
            var read = (long)(await due.ExecuteScalarAsync())!;
            Assert.True(read >= 190, $"{read} users of appdb were due by {position:O}");
            Assert.True(sources["raw_users"].GetProperty("total_rows").GetInt64() >= read, sources["raw_users"].GetRawText());
        }

        Assert.All(sources["raw_topups"].GetProperty("extractions").EnumerateArray(), e => Assert.Equal("succeeded", e.GetProperty("status").GetString()));
        var mart = await app.Gateway.GetFromJsonAsync<JsonElement>("/api/marts/topups_by_channel/rows?limit=100");
        Assert.NotEmpty(mart.GetProperty("rows").EnumerateArray());
        // The users' history: one current version per user extracted, each from its updated_at.
        var history = await app.Gateway.GetFromJsonAsync<JsonElement>("/api/assets/snap_users");
        Assert.True(history.GetProperty("latest_materialization").GetProperty("rows").GetInt64() >= sources["raw_users"].GetProperty("total_rows").GetInt64(), history.GetRawText());
    }

    [Fact]
    public async Task A_failing_asset_fails_the_run_and_skips_its_downstream_while_upstream_is_built()
    {
        var runId = await app.QueueAsync("+probe_downstream");

        var run = await app.WaitForRunAsync(runId);

        Assert.Equal("failed", run.GetProperty("status").GetString());
        var steps = run.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("asset_key").GetString()!);
        Assert.Equal("failed", steps["probe_broken"].GetProperty("status").GetString());
        Assert.Contains("division by zero", steps["probe_broken"].GetProperty("error").GetString());
        Assert.Equal("skipped", steps["probe_downstream"].GetProperty("status").GetString());
        Assert.Equal("succeeded", steps["fct_events"].GetProperty("status").GetString());
        // The previous tables stay: the marts still answer.
        Assert.Equal(200, (int)(await app.Gateway.GetAsync("/api/marts/growth_metrics/rows?limit=1")).StatusCode);
    }

    [Fact]
    public async Task A_run_queued_over_http_is_one_trace_from_the_gateway_to_each_asset_and_its_sql()
    {
        // The sample job's POST went through the gateway to the API, and a worker ran it under the same trace.
        var spans = await EventuallyAsync(() => app.Otlp.Spans, all => Assets.All(a => all.Any(s => s.Name == $"asset {a}")));
        Assert.All(Assets, a => Assert.Contains(spans, s => s.Name == $"asset {a}"));
        var run = spans.First(s => s.Name == "materialize run" && spans.Any(a => a.TraceId == s.TraceId && a.Name == "asset growth_metrics"));
        var trace = spans.Where(s => s.TraceId == run.TraceId).ToList();
        Assert.Contains(trace, s => s.Name.StartsWith("POST", StringComparison.Ordinal) && s.ServiceName == "gateway");
        Assert.Contains(trace, s => s.Name.StartsWith("POST", StringComparison.Ordinal) && s.ServiceName == "api");
        Assert.True(trace.Count(s => s.Name.StartsWith("asset ", StringComparison.Ordinal)) >= Assets.Length);
        var sql = SpanTree.SqlUnder(trace, "asset growth_metrics");
        Assert.Contains(sql, s => SpanTree.Statement(s).Contains("growth_metrics", StringComparison.Ordinal));
        // The workers' queue polls (SQL under no span) are not exported: they would bury the traces above.
        Assert.DoesNotContain(spans, s => s.ParentSpanId is null && s.Attributes.Keys.Any(k => k.StartsWith("db.", StringComparison.Ordinal)));
    }

    private async Task<List<(string Kind, JsonElement Data)>> ReadEventsAsync(string runId)
    {
        using var response = await app.Gateway.GetAsync($"/api/runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var events = new List<(string, JsonElement)>();
        string? kind = null, data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.Length == 0 && kind is not null)
            {
                events.Add((kind, JsonDocument.Parse(data!).RootElement));
                kind = data = null;
            }
            else if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                kind = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line[6..];
            }
        }

        return events;
    }

    private static async Task<T> EventuallyAsync<T>(Func<T> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done(read()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        return read();
    }

    private static bool ContainerRuntimeProbe() => ContainerEngineFactAttribute.Answers(out _);
}
