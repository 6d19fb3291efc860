using System.Text.RegularExpressions;
using Analytics.Core.Assets;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>
/// The CLI on BigQuery, end to end against the local Google API server (as emulators are used): every asset is
/// sent in topological order as CREATE OR REPLACE, checks run as queries, ingest lists, streams, validates, uploads
/// and loads, and the run store stays PostgreSQL.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class BigQueryCliTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private GoogleApiServer _server = null!;

    public Task InitializeAsync()
    {
        // Jobs here finish on insert, as BigQuery's fast ones do; polling has its own contract test.
        _server = new GoogleApiServer { JobsFinishOnInsert = true };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private AnalyticsSettings Settings(string? staging = "gs://stage/loads/") =>
        new(null, db.ConnectionString, TestFiles.Folder(), TestFiles.RepositoryAssets, "bigquery")
        {
            BigQuery = new BigQuerySettings("proj", "EU", "ci_", 5_000_000_000, staging, _server.Url, _server.Url),
        };


    [Fact]
    public async Task Materialize_sends_every_asset_in_topological_order_as_create_or_replace()
    {
        var (exit, output, error) = await InProcessCli.RunAsync(Settings(), "materialize", "*", "--parallelism", "1");

        Assert.True(exit == 0, output + error);
        Assert.Contains("35 asset(s)", output);
        // The datasets, with the prefix, in the configured location.
        Assert.Equal(["ci_core", "ci_marts", "ci_raw", "ci_snapshots", "ci_staging"], _server.Datasets.Order());
        Assert.All(_server.Requests.Where(r => r.PathAndQuery.EndsWith("/datasets", StringComparison.Ordinal)),
            r => Assert.Equal("EU", r.Json!["location"]!.GetValue<string>()));

        var builds = _server.Queries.Select(q => BuildTarget().Match(q)).Where(m => m.Success).ToList();
        var built = builds.Select(m => m.Groups["table"].Value).ToList();
        var project = AssetProject.Load(TestFiles.RepositoryAssets);
        // A snapshot is made once if missing and merged into, never replaced (see DialectTests.Snapshot).
        var expected = project.Graph.TopologicalOrder.Where(k => !project.Graph[k].IsSource && project.Graph[k].Snapshot is null).ToList();
        Assert.Equal(expected.Order(), built.Order());
        Assert.Contains(_server.Queries, q => q.StartsWith("CREATE TABLE IF NOT EXISTS `proj.ci_snapshots.snap_users` AS", StringComparison.Ordinal));
        Assert.Contains(_server.Queries, q => q.StartsWith("MERGE `proj.ci_snapshots.snap_users` AS existing", StringComparison.Ordinal));
        // Each asset was sent after everything it depends on.
        foreach (var key in expected)
        {
            Assert.All(project.Graph[key].Dependencies.Where(d => !project.Graph[d.Name].IsSource),
                d => Assert.True(built.IndexOf(d.Name) < built.IndexOf(key), $"{d.Name} before {key}"));
        }

        Assert.All(builds, m => Assert.Equal(project.Graph[m.Groups["table"].Value].Layer, m.Groups["dataset"].Value["ci_".Length..]));
        var fct = _server.Queries.Single(q => q.StartsWith("CREATE OR REPLACE TABLE `proj.ci_core.fct_events`", StringComparison.Ordinal));
        Assert.StartsWith("CREATE OR REPLACE TABLE `proj.ci_core.fct_events`\nPARTITION BY event_date\nCLUSTER BY tenant_id, user_id AS\nselect", fct);
        Assert.Contains("from `proj.ci_staging.stg_events`", fct);
        // Incremental assets partition by their partition column (stg_events, fct_events, user_activity_days); no other does.
        Assert.All(builds.Where(m => project.Graph[m.Groups["table"].Value].PartitionBy is null), m => Assert.DoesNotContain("PARTITION BY", m.Value));

        // Checks run as queries over the built tables; the run store (PostgreSQL) recorded the run.
        Assert.Contains(_server.Queries, q => q.StartsWith("select failing.*, count(*) over () as failing_rows__ from (select event_date, event_id, count(*) as copies", StringComparison.Ordinal));
        Assert.Equal(35L, await db.ScalarAsync<long>("select count(*) from runstore.steps s join runstore.runs r using (run_id) where r.status = 'succeeded'"));
    }

    [Fact]
    public async Task A_failed_build_fails_its_step_with_the_mapped_message_and_leaves_the_run_failed()
    {
        _server.FailJob = sql => sql.StartsWith("CREATE OR REPLACE TABLE `proj.ci_core.dim_users`", StringComparison.Ordinal)
            ? ("accessDenied", "Access Denied: Table proj:ci_core.dim_users: Permission bigquery.tables.create denied on dataset proj:ci_core")
            : null;

        var (exit, output, _) = await InProcessCli.RunAsync(Settings(), "materialize", "+dim_users");

        Assert.Equal(1, exit);
        Assert.Contains("bigquery.tables.create", output);
        Assert.Contains("grant a role that has it", output);
    }

    [Fact]
    public async Task Ingest_from_a_bucket_lists_streams_validates_uploads_and_loads_once()
    {
        _server.Objects["landing/events/2025-01-01.csv"] = System.Text.Encoding.UTF8.GetBytes(
            TestFiles.Header + "\n2025-01-01 10:00:00,u1,miles_earned,dining,10,ios,organic,SG\n"
            + "2025-01-01 11:00:00,u2,like,,,\"and\"\"roid\",ads,\n"
            + "not a time,u3,like,,,,,\n");
        _server.Objects["landing/events/2025-01-02.csv"] = System.Text.Encoding.UTF8.GetBytes(
            TestFiles.Header + "\n2025-01-02 09:30:00.5,u1,share,,,web,organic,MY\n");
        _server.Objects["landing/events/readme.txt"] = "not events"u8.ToArray();

        var (exit, output, error) = await InProcessCli.RunAsync(Settings(), "ingest", "gs://landing/events/");

        Assert.True(exit == 0, output + error);
        Assert.Contains("gs://landing/events/2025-01-01.csv: read 3, loaded 2, rejected 1", output);
        Assert.Contains("gs://landing/events/2025-01-02.csv: read 1, loaded 1, rejected 0", output);
        // Listed page by page (two objects a page), each CSV downloaded, the text file left alone.
        Assert.Equal(2, _server.Requests.Count(r => r.PathAndQuery.StartsWith("/storage/v1/b/landing/o?", StringComparison.Ordinal)
                                                    && r.PathAndQuery.Contains("prefix=events%2F", StringComparison.Ordinal)));
        Assert.DoesNotContain(_server.Requests, r => r.PathAndQuery.Contains("readme", StringComparison.Ordinal));

        var loads = _server.Requests.Where(r => r.Json?["configuration"]?["load"] is not null).Select(r => r.Json!["configuration"]!["load"]!).ToList();
        Assert.Equal(3, loads.Count);
        var events = loads.Where(l => l["destinationTable"]!["tableId"]!.GetValue<string>() == "raw_events").ToList();
        Assert.Equal(2, events.Count);
        Assert.All(events, l =>
        {
            Assert.Equal("ci_raw", l["destinationTable"]!["datasetId"]!.GetValue<string>());
            Assert.Equal("CSV", l["sourceFormat"]!.GetValue<string>());
            Assert.Equal(BigQueryWarehouse.SchemaOf(TestSources.Events).Select(f => f.Name), l["schema"]!["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
            Assert.Matches("^gs://stage/loads/raw_events/[0-9a-f]{64}\\.csv$", l["sourceUris"]![0]!.GetValue<string>());
        });

        var rows = _server.Tables["ci_raw.raw_events"].Rows;
        Assert.Equal(3, rows.Count);
        var u2 = rows.Single(r => r[4] == "u2");
        Assert.Equal(("2025-01-01 11:00:00.000000+00:00", "like", null, "and\"roid", "ads", null), (u2[3], u2[5], u2[7], u2[8], u2[9], u2[10]));
        Assert.Equal("2025-01-02 09:30:00.500000+00:00", rows.Single(r => r[8] == "web")[3]);
        var rejected = Assert.Single(_server.Tables["ci_raw.raw_events_rejected"].Rows);
        Assert.Equal(("gs://landing/events/2025-01-01.csv", "4", "not a time,u3,like,,,,,"), (rejected[1], rejected[2], rejected[3]));
        Assert.Contains("event_time", rejected[4]);

        // The manifest (in the run store) makes the second ingest a no-op: nothing uploaded, nothing loaded.
        var before = _server.Requests.Count(r => r.Json?["configuration"]?["load"] is not null);
        var again = await InProcessCli.RunAsync(Settings(), "ingest", "gs://landing/events/2025-01-01.csv");
        Assert.Equal(0, again.Exit);
        Assert.Contains("already ingested", again.Output);
        Assert.Equal(before, _server.Requests.Count(r => r.Json?["configuration"]?["load"] is not null));
        Assert.Equal(2L, await db.ScalarAsync<long>("select count(*) from raw.ingest_manifest where file_path like 'gs://landing/%'"));
    }

    [Fact]
    public async Task Ingest_of_a_local_file_needs_a_staging_bucket_and_says_which_variable()
    {
        var csv = TestFiles.Csv(TestFiles.Header, "2025-01-01 10:00:00,u1,like,,,ios,organic,SG");

        var (exit, _, error) = await InProcessCli.RunAsync(Settings(staging: null), "ingest", csv);

        Assert.Equal(2, exit);
        Assert.Contains("ANALYTICS_GCS_STAGING", error);
        Assert.DoesNotContain(_server.Requests, r => r.Json?["configuration"]?["load"] is not null);
    }

    [Fact]
    public async Task A_prefix_with_no_csv_objects_is_bad_input_naming_it()
    {
        _server.Objects["landing/other/x.txt"] = [1];

        var (exit, _, error) = await InProcessCli.RunAsync(Settings(), "ingest", "gs://landing/other/");

        Assert.Equal(2, exit);
        Assert.Contains("gs://landing/other/: no object of that name and no *.csv objects under it", error);
    }

    [Fact]
    public async Task Validate_dry_runs_each_asset_and_prints_the_bytes()
    {
        var (exit, output, error) = await InProcessCli.RunAsync(Settings(), "validate", "+growth_metrics", "--target", "bigquery");

        Assert.True(exit == 0, output + error);
        var dryRuns = _server.Requests.Where(r => r.Json?["configuration"]?["dryRun"]?.GetValue<bool>() == true).ToList();
        Assert.Equal(6, dryRuns.Count);
        Assert.All(dryRuns, r => Assert.NotNull(r.Json!["configuration"]!["query"]!["maximumBytesBilled"]));
        Assert.Matches(@"ok   growth_metrics\s+\d+\.\d MiB", output);
        Assert.Contains("6 asset(s) valid", output);
        Assert.DoesNotContain(_server.Requests, r => r.Json?["configuration"]?["dryRun"]?.GetValue<bool>() == false);
    }

    [Fact]
    public async Task Compile_for_bigquery_names_the_project_and_prefix_and_leaves_no_postgres_syntax()
    {
        var folder = TestFiles.Folder();

        var (exit, output, error) = await InProcessCli.RunAsync(Settings(), "compile", "*", "--target", "bigquery", "--out", folder);

        Assert.True(exit == 0, output + error);
        Assert.Equal(29, Directory.GetFiles(folder).Length);
        var stg = await File.ReadAllTextAsync(Path.Combine(folder, "stg_events.sql"));
        Assert.Contains("from `proj.ci_raw.raw_events`", stg);
        Assert.Contains("QUALIFY ROW_NUMBER() OVER (PARTITION BY event_date, event_id ORDER BY file_id, line_number) = 1", stg);
    }

    [GeneratedRegex(@"^CREATE OR REPLACE (TABLE|VIEW) `proj\.(?<dataset>\w+)\.(?<table>\w+)`")]
    private static partial Regex BuildTarget();
}
