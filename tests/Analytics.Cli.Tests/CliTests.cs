using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Cli.Tests;

/// <summary>
/// In one collection with the other classes that run CLI verbs in this process: the OTLP test listens to the
/// engine's spans process-wide, so a run of another class must not overlap it.
/// </summary>
[Collection(InProcessCli.Collection)]
public class CliTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunWithTelemetryAsync(null, args);

    private Task<(int Exit, string Output, string Error)> RunWithTelemetryAsync(string? otlpEndpoint, params string[] args) =>
        InProcessCli.RunAsync(new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets, OtlpEndpoint: otlpEndpoint), args);

    [Fact]
    public async Task Generate_ingest_and_materialize_builds_the_core_assets_with_checks_passing()
    {
        var csv = Path.Combine(TestFiles.Folder(), "events.csv");

        var generated = await RunAsync("generate-events", "--out", csv, "--users", "200", "--days", "60", "--seed", "3", "--dirty-rate", "0.05");
        var ingested = await RunAsync("ingest", csv);
        var materialized = await RunAsync("materialize", "+fct_events");
        var listed = await RunAsync("list");

        Assert.Equal(0, generated.Exit);
        Assert.Equal(0, ingested.Exit);
        Assert.Contains("rejected", ingested.Output);
        Assert.True(materialized.Exit == 0, materialized.Output + materialized.Error);
        Assert.Contains("succeeded: 8 asset(s)", materialized.Output);
        var rejected = await db.ScalarAsync<long>("select count(*) from raw.raw_events_rejected");
        var duplicates = await db.ScalarAsync<long>("select count(*) - count(distinct event_id) from core.fct_events");
        Assert.True(rejected > 0);
        Assert.Equal(0, duplicates);
        Assert.True(await db.ScalarAsync<long>("select count(*) from raw.raw_events") > await db.ScalarAsync<long>("select count(*) from staging.stg_events"),
            "the generator writes exact duplicates that staging removes");
        // fct_events is incremental by day (issue 15).
        Assert.Matches(@"fct_events\s+core\s+incremental\s+\d{4}-\d\d-\d\d", listed.Output);
    }

    [Fact]
    public async Task A_cli_run_exports_its_run_asset_and_sql_spans_over_otlp()
    {
        await using var otlp = new OtlpReceiver();
        var csv = TestFiles.Csv(TestFiles.Header, "2025-01-01 10:00:00,otel_user,like,,,ios,organic,SG");
        await RunAsync("ingest", csv);

        var (exit, output, error) = await RunWithTelemetryAsync(otlp.Endpoint, "materialize", "+stg_events");

        Assert.True(exit == 0, output + error);
        // The CLI flushes before it returns: no waiting for a batch. Other classes' runs in this process may be
        // exported too (the listener is process-wide), so this run's trace is found by its run id.
        var runId = System.Text.RegularExpressions.Regex.Match(output, "run ([0-9a-f-]{36})").Groups[1].Value;
        var run = Assert.Single(otlp.Spans, s => s.Name == "materialize run" && s.Attributes.GetValueOrDefault("analytics.run_id") == runId);
        var spans = otlp.Spans.Where(s => s.TraceId == run.TraceId).ToList();
        var asset = Assert.Single(spans, s => s.Name == "asset stg_events");
        Assert.Equal(run.SpanId, asset.ParentSpanId);
        Assert.Contains(SpanTree.SqlUnder(spans, "asset stg_events"), s => SpanTree.Statement(s).Contains("stg_events", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_malformed_otlp_endpoint_is_bad_input_not_a_crash()
    {
        var (exit, _, error) = await RunWithTelemetryAsync("not a url", "graph");
        Assert.Equal(2, exit);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", error);
    }

    [Fact]
    public async Task An_at_selection_is_a_selection_not_a_response_file()
    {
        var (exit, output, error) = await RunAsync("list", "@growth_metrics");
        Assert.True(exit == 0, error);
        Assert.Contains("growth_metrics", output);
        Assert.Contains("raw_events", output);

        // Never a file's contents read as a selection.
        var hostname = await RunAsync("list", "@/etc/hostname");
        Assert.Equal(2, hostname.Exit);
        Assert.DoesNotContain("Response file", hostname.Error);
    }

    [Theory]
    [InlineData("list", "stg_events+2147483648", "between 1 and 1000")]
    [InlineData("list", "99999999999+stg_events", "between 1 and 1000")]
    [InlineData("graph", null, "nested more than 32 deep")]
    [InlineData("graph", "", "at most 4,096")]
    public async Task Hostile_selections_exit_2_with_a_message(string verb, string? selection, string expected)
    {
        selection ??= new string('(', 1_000) + "stg_events" + new string(')', 1_000);
        if (selection.Length == 0)
        {
            selection = string.Join(' ', Enumerable.Repeat("growth_metrics", 200_000));
        }

        var (exit, _, error) = await RunAsync(verb, selection);

        Assert.Equal(2, exit);
        Assert.Contains(expected, error);
        Assert.True(error.Length < 1_000, $"a {error.Length}-character message");
    }

    [Theory]
    [InlineData("list", "tag:nosuchtag", "no asset has the tag 'nosuchtag'. The tags are: appdb, core,")]
    [InlineData("list", "tag:retenton", "Did you mean 'retention'?")]
    [InlineData("materialize", "layer:mart", "no asset has the layer 'mart'. Did you mean 'marts'?")]
    [InlineData("list", "key:nothing_*", "no asset has the key pattern 'nothing_*'.")]
    [InlineData("list", "tag:core and tag:retention", "its terms each match some, but not together")]
    [InlineData("intervals", "nosuch", "'nosuch' is no asset. The assets with intervals: category_engagement, cohort_activity, dim_users,")]
    public async Task A_selection_or_asset_that_matches_nothing_exits_2_saying_what_there_is(string verb, string argument, string expected)
    {
        // Issue 26, item 6: 'list tag:nosuchtag' printed an empty table and exited 0; 'intervals nosuch' suggested nothing.
        var (exit, output, error) = await RunAsync(verb, argument);

        Assert.True(exit == 2, $"{exit}: {output}{error}");
        Assert.Contains(expected, error);
    }

    [Fact]
    public async Task A_folder_ingest_tries_every_file_and_reports_the_refused_ones()
    {
        var folder = TestFiles.Folder();
        await File.WriteAllTextAsync(Path.Combine(folder, "a.csv"), TestFiles.Header + "\n2025-01-01 10:00:00,folder_a,like,,,ios,organic,SG\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "b.csv"), "no,header,here\n1,2,3\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "c.csv"), TestFiles.Header + "\n2025-01-01 10:00:00,folder_c,like,,,ios,organic,SG\n");

        var (exit, output, _) = await RunAsync("ingest", folder);

        Assert.Equal(2, exit);
        Assert.Contains("b.csv", output);
        Assert.Contains("1 of 3 file(s) refused whole", output);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'folder_c'"));
    }

    [Fact]
    public async Task Event_ids_are_stable_across_rebuilds()
    {
        var csv = TestFiles.Csv(TestFiles.Header, "2025-01-01 10:00:00,stable_user,like,,,ios,organic,SG");
        await RunAsync("ingest", csv);
        await RunAsync("materialize", "+fct_events");
        var first = await db.ScalarAsync<Guid>("select event_id from core.fct_events where user_id = 'stable_user'");
        await RunAsync("materialize", "+fct_events");
        Assert.Equal(first, await db.ScalarAsync<Guid>("select event_id from core.fct_events where user_id = 'stable_user'"));
    }

    [Fact]
    public async Task Bad_selection_exits_2_and_names_the_closest_asset()
    {
        var (exit, _, error) = await RunAsync("materialize", "+fct_evnts");
        Assert.Equal(2, exit);
        Assert.Contains("Did you mean 'fct_events'", error);
    }

    [Fact]
    public async Task Missing_input_file_exits_2_with_a_message_naming_it()
    {
        var (exit, _, error) = await RunAsync("ingest", "/nonexistent/events.csv");
        Assert.Equal(2, exit);
        Assert.Contains("/nonexistent/events.csv", error);
    }

    [Fact]
    public async Task Unknown_verb_is_bad_usage()
    {
        var (exit, _, error) = await RunAsync("materialise");
        Assert.Equal(2, exit);
        Assert.Contains("analytics --help", error);
    }

    [Fact]
    public async Task Graph_prints_json_nodes_and_edges()
    {
        var (exit, output, _) = await RunAsync("graph", "+fct_events", "--format", "json");
        Assert.Equal(0, exit);
        Assert.Contains("\"from\": \"stg_events\"", output);
    }

    [Fact]
    public async Task Compile_writes_each_selected_asset_with_refs_and_macros_resolved_and_leaves_sources_out()
    {
        var folder = Path.Combine(TestFiles.Folder(), "compiled");

        var (exit, output, error) = await RunAsync("compile", "+dim_users", "--target", "postgres", "--out", folder);

        Assert.True(exit == 0, output + error);
        Assert.Equal(["dim_users.sql", "stg_events.sql", "user_activity_days.sql"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        var dimUsers = await File.ReadAllTextAsync(Path.Combine(folder, "dim_users.sql"));
        Assert.Contains("from \"staging\".\"stg_events\"", dimUsers);
        Assert.Contains("from \"core\".\"user_activity_days\"", dimUsers);
        Assert.DoesNotContain("{{", dimUsers);
        var printed = await RunAsync("compile", "user_activity_periods");
        Assert.StartsWith("-- user_activity_periods\n", printed.Output);
        Assert.Contains("date_trunc('week'", printed.Output);
        Assert.Contains("from \"core\".\"user_activity_days\"", printed.Output);
    }

    [Theory]
    [InlineData("--target", "snowflake", "snowflake")]
    [InlineData("--out", "/proc/compiled", "--out /proc/compiled")]
    public async Task Compile_refuses_what_it_cannot_do_with_exit_2(string option, string value, string named)
    {
        var (exit, _, error) = await RunAsync("compile", "dim_users", option, value);

        Assert.Equal(2, exit);
        Assert.Contains(named, error);
    }
}
