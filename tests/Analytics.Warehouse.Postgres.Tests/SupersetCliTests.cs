using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Superset;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary><c>analytics superset bundle</c> on a real warehouse: datasets carry the columns the marts were built with.</summary>
[Collection(CliTests.Collection)]
public class SupersetCliTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) =>
        InProcessCli.RunAsync(new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets), args);

    [Fact]
    public async Task The_bundle_is_written_from_the_catalog_and_passes_the_import_rules()
    {
        var early = await RunAsync("superset", "bundle", "--out", Path.Combine(TestFiles.Folder(), "early.zip"));
        Assert.Equal(CliApp.BadInput, early.Exit);
        Assert.Contains("has never been materialized", early.Error);

        var csv = TestFiles.Csv(TestFiles.Header, "2025-01-01 10:00:00,u1,miles_earned,dining,10,ios,organic,SG", "2025-01-09 10:00:00,u1,like,,,ios,organic,SG");
        Assert.Equal(0, (await RunAsync("ingest", csv)).Exit);
        Assert.Equal(0, (await RunAsync("materialize", "*")).Exit);
        var zip = Path.Combine(TestFiles.Folder(), "growth.zip");

        var written = await RunAsync("superset", "bundle", "--out", zip);

        Assert.True(written.Exit == 0, written.Error);
        Assert.Contains("11 mart datasets", written.Output);
        await using var file = File.OpenRead(zip);
        var bundle = SupersetBundle.ReadZip(file);
        Assert.Empty(BundleValidator.Validate(bundle));
        var growth = bundle.Files["datasets/analytics_warehouse/growth_metrics.yaml"];
        Assert.Contains("column_name: stickiness", growth);
        Assert.Contains("main_dttm_col: date", growth);
        Assert.DoesNotContain(new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString).Password ?? "\u0000", string.Concat(bundle.Files.Values));
    }

    [Fact]
    public async Task Publish_without_credentials_or_with_a_bad_url_is_bad_input()
    {
        Environment.SetEnvironmentVariable("SUPERSET_USERNAME", null);
        var missing = await RunAsync("superset", "publish", "--url", "http://127.0.0.1:1");
        Assert.Equal(CliApp.BadInput, missing.Exit);
        Assert.Contains("SUPERSET_USERNAME and SUPERSET_PASSWORD", missing.Error);
    }
}
