using System.Text;
using Analytics.Orchestration;
using Analytics.Testing;
using Npgsql;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>
/// A database source extracted into BigQuery, through the CLI against the local Google API server: each window is a
/// CSV of its valid rows, staged in Cloud Storage, loaded into <c>raw.KEY__extracted</c> (replacing the last window's)
/// with the declared schema and merged into <c>raw.KEY</c> by key; rejected rows are loaded beside it; the loads and
/// the watermark are in the run store, so a second run reads nothing again.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BigQueryExtractionTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private GoogleApiServer _server = null!;
    private string _appDb = "";

    public async Task InitializeAsync()
    {
        _server = new GoogleApiServer { JobsFinishOnInsert = true };
        _appDb = await SharedServer.CreateDatabaseAsync("appdb");
        await using var source = NpgsqlDataSource.Create(_appDb);
        await using var command = source.CreateCommand("""
            create table users (user_id text primary key, tier text, country text, signed_up_at timestamptz, updated_at timestamptz, tenant_id text);
            insert into users values
                ('u1', 'basic', 'TH', now() - interval '3 hours', now() - interval '2 hours', null),
                ('u2', 'gold', 'SG', now() - interval '3 hours', now() - interval '2 hours', 'acme'),
                ('u3', 'diamond', 'MY', now() - interval '3 hours', now() - interval '2 hours', null);
            """);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private AnalyticsSettings Settings() =>
        new(null, db.ConnectionString, TestFiles.Folder(), TestFiles.RepositoryAssets, "bigquery")
        {
            BigQuery = new BigQuerySettings("proj", "EU", "ci_", 5_000_000_000, "gs://stage/loads/", _server.Url, _server.Url),
            SourceConnections = name => name == "appdb" ? _appDb : null,
        };

    [Fact]
    public async Task Each_window_is_staged_loaded_and_merged_by_key_and_a_second_run_reads_nothing_again()
    {
        var (exit, output, error) = await InProcessCli.RunAsync(Settings(), "materialize", "raw_users");

        Assert.True(exit == 0, output + error);
        // The window's valid rows, staged as CSV, and loaded into the window table with the declared schema, replacing it.
        var window = _server.Objects.Single(o => o.Key.StartsWith("stage/loads/raw_users/raw_users__extracted-window-", StringComparison.Ordinal));
        var staged = Encoding.UTF8.GetString(window.Value);
        Assert.Contains("\"u1\",\"basic\",\"TH\"", staged);
        Assert.Contains("\"u2\",\"gold\",\"SG\"", staged);
        Assert.DoesNotContain("u3", staged);
        var load = _server.Requests.Select(r => r.Json?["configuration"]?["load"]).OfType<System.Text.Json.Nodes.JsonNode>()
            .Single(l => l["destinationTable"]!["tableId"]!.GetValue<string>() == "raw_users__extracted");
        Assert.Equal("ci_raw", load["destinationTable"]!["datasetId"]!.GetValue<string>());
        Assert.Equal("WRITE_TRUNCATE", load["writeDisposition"]!.GetValue<string>());
        Assert.Contains("\"tier\"", load["schema"]!.ToJsonString());
        Assert.Equal(2, _server.Tables["ci_raw.raw_users__extracted"].Rows.Count);
        // Merged by key: a user read again replaces the earlier copy.
        var merge = _server.Queries.Single(q => q.StartsWith("MERGE `proj.ci_raw.raw_users` AS existing", StringComparison.Ordinal));
        Assert.Contains("ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY line_number DESC)", merge);
        Assert.Contains("WHEN MATCHED THEN UPDATE SET load_id = incoming.load_id", merge);
        Assert.Contains("WHEN NOT MATCHED THEN INSERT ROW", merge);
        // The rejected row, with its reason, beside it.
        var rejected = _server.Tables["ci_raw.raw_users_rejected"].Rows.Single();
        Assert.Contains(rejected, v => v is not null && v.Contains("tier 'diamond' is not one of basic, silver, gold, platinum", StringComparison.Ordinal));
        // The load and the watermark, in the run store.
        Assert.Equal([2L, 1L], (await db.RowsAsync("select rows_loaded, rows_rejected from raw.ingest_manifest where source = 'raw_users'")).Single().Select(v => (long)v!));
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.source_watermarks where source = 'raw_users' and position is not null"));

        var loads = _server.Requests.Count(r => r.Json?["configuration"]?["load"] is not null);
        var (again, againOutput, againError) = await InProcessCli.RunAsync(Settings(), "materialize", "raw_users");
        Assert.True(again == 0, againOutput + againError);
        Assert.Equal(loads, _server.Requests.Count(r => r.Json?["configuration"]?["load"] is not null));
    }
}
