using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Testing;
using AppHost.Resources;

namespace Analytics.AppHost.Tests;

/// <summary>
/// The whole composition started through the AppHost's own wiring (PostgreSQL, API, two workers, gateway, sample
/// data), used through the gateway as a person would, then stopped with nothing left running.
/// </summary>
public sealed class DistributedAppTests
{
    private static readonly string[] Assets =
    [
        "raw_events", "stg_events", "dim_users", "fct_events", "user_activity_days", "user_activity_periods", "growth_accounting",
        "growth_metrics", "social_capital_growth_accounting", "quick_ratio_analysis", "retention_cohorts", "retention_quality_framework",
        "user_resurrection_analysis", "growth_drivers", "miles_analytics", "users_with_negative_miles", "acquisition_channel_retention",
        "category_engagement",
    ];

    internal static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    [Fact]
    public async Task The_app_starts_materializes_everything_through_the_gateway_reports_spans_and_stops_clean()
    {
        await using var otlp = new OtlpReceiver();
        var home = Path.Combine(Path.GetTempPath(), $"analytics-apphost-{Guid.NewGuid():N}");
        var app = Program.BuildApp([
            $"--ANALYTICS_HOME={home}", $"--OTEL_EXPORTER_OTLP_ENDPOINT={otlp.Endpoint}", $"--Configuration={BuildConfiguration}",
            "--Workers=2", "--SampleUsers=300", "--Parameters:api-key=apphost-test-key",
        ]);
        var log = new StringWriter();
        var processes = new List<int>();
        try
        {
            await app.StartAsync(TextWriter.Synchronized(log));
            var table = app.ResourceTable();
            foreach (var name in new[] { "postgres", "api", "worker", "gateway", "sample-data" })
            {
                Assert.True(app.Resource<Resource>(name).Ready.IsCompletedSuccessfully, $"{name} is not ready:\n{table}\n{log}");
            }

            Assert.Contains("apphost-test-key", table);
            var superset = app.Resource<ContainerResource>("superset");
            Assert.True(superset.Started || superset.State == "not started: no container engine", superset.State);
            processes.AddRange(new[] { "api", "worker", "gateway" }.SelectMany(n => app.Resource<ProjectResource>(n).ProcessIds));
            Assert.Equal(4, processes.Count);

            var sample = app.Resource<SampleDataResource>("sample-data");
            using var gateway = new HttpClient { BaseAddress = new Uri(app.Resource<ProjectResource>("gateway").Url!) };
            var run = await WaitForRunAsync(gateway, sample.RunId!);
            Assert.Equal("succeeded", run.GetProperty("status").GetString());
            Assert.NotNull(await sample.FirstMart);

            var assets = await gateway.GetFromJsonAsync<JsonElement>("/api/assets");
            var growth = assets.EnumerateArray().Single(a => a.GetProperty("key").GetString() == "growth_metrics");
            Assert.True(growth.GetProperty("rows").GetInt64() > 100);
            Assert.Equal(200, (int)(await gateway.GetAsync("/openapi/v1.json")).StatusCode);
            // Every worker replica evaluates the shipped schedules (each tick fires once across them).
            Assert.Contains("firing 2 schedule(s): every_10_minutes, daily_report", await EventuallyAsync(() => log.ToString(),
                text => text.Contains("firing 2 schedule(s)", StringComparison.Ordinal)));
            var dashboards = await gateway.GetAsync("/dashboards");
            Assert.Equal("text/html", dashboards.Content.Headers.ContentType?.MediaType);
            if (!superset.Started)
            {
                // No engine: /superset says Superset is not running, and the publish job says why it did nothing.
                Assert.Equal(404, (int)(await gateway.GetAsync("/superset/")).StatusCode);
                Assert.Equal("skipped: Superset is not running", app.Resource<SupersetPublishResource>("superset-publish").State);
            }

            var spans = await EventuallyAsync(() => otlp.TracesText, text => Assets.All(a => text.Contains($"asset {a}")));
            Assert.All(Assets, a => Assert.Contains($"asset {a}", spans));
            Assert.Contains("materialize run", spans);

            // Npgsql's instrumentation puts each statement under the span in flight: the asset's, or its check's.
            var tree = await EventuallyAsync(() => otlp.Spans, all => SpanTree.SqlUnder(all, "asset growth_metrics").Count > 0);
            var sql = SpanTree.SqlUnder(tree, "asset growth_metrics");
            Assert.Contains(sql, s => SpanTree.Statement(s).Contains("growth_metrics", StringComparison.Ordinal));
            Assert.NotEmpty(SpanTree.SqlUnder(tree, "asset dim_users"));
        }
        finally
        {
            await app.StopAsync();
        }

        Assert.All(processes, pid => Assert.False(IsRunning(pid), $"process {pid} outlived the app"));
        Assert.False(File.Exists(Path.Combine(home, "postgres", "data", "postmaster.pid")), "PostgreSQL is still running");
        Directory.Delete(home, recursive: true);
    }

    [Fact]
    public async Task Killing_a_worker_mid_run_fails_the_run_and_retry_completes_it_while_the_app_keeps_serving()
    {
        var home = Path.Combine(Path.GetTempPath(), $"analytics-apphost-{Guid.NewGuid():N}");
        var app = Program.BuildApp([
            $"--ANALYTICS_HOME={home}", $"--Configuration={BuildConfiguration}", "--Workers=2", "--SampleUsers=4000",
            "--HeartbeatTimeout=00:00:04", "--Parameters:api-key=apphost-test-key",
        ]);
        var log = new StringWriter();
        try
        {
            await app.StartAsync(TextWriter.Synchronized(log));
            var runId = app.Resource<SampleDataResource>("sample-data").RunId!;
            using var gateway = new HttpClient { BaseAddress = new Uri(app.Resource<ProjectResource>("gateway").Url!) };
            gateway.DefaultRequestHeaders.Add("X-Api-Key", "apphost-test-key");
            var worker = app.Resource<ProjectResource>("worker");
            string? owner = null;
            while (owner is null)
            {
                var current = await gateway.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
                Assert.Contains(current.GetProperty("status").GetString(), new[] { "queued", "running" });
                owner = current.GetProperty("worker").GetString();
                await Task.Delay(owner is null ? 50 : 0);
            }

            var victim = worker.ProcessIds.ToList().FindIndex(pid => owner.EndsWith($":{pid}", StringComparison.Ordinal));
            worker.KillReplica(victim);

            Assert.Equal(200, (int)(await gateway.GetAsync("/api/assets")).StatusCode);
            var failed = await WaitForRunAsync(gateway, runId);
            Assert.Equal("failed", failed.GetProperty("status").GetString());
            Assert.Contains("stopped heartbeating", failed.GetProperty("error").GetString());

            var retry = await gateway.PostAsync($"/api/runs/{runId}/retry", null);
            Assert.Equal(202, (int)retry.StatusCode);
            var retried = await WaitForRunAsync(gateway, (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!);
            Assert.Equal("succeeded", retried.GetProperty("status").GetString());
            Assert.Contains("DIED", log.ToString());
        }
        finally
        {
            await app.StopAsync();
        }

        Directory.Delete(home, recursive: true);
    }

    internal static async Task<JsonElement> WaitForRunAsync(HttpClient gateway, string runId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var run = await gateway.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
            if (run.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled" || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(250);
        }
    }

    internal static async Task<T> EventuallyAsync<T>(Func<T> read, Func<T, bool> done)
    {
        // Span exports are batched (every 5 s by default); give them a few rounds.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!done(read()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        return read();
    }

    internal static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
