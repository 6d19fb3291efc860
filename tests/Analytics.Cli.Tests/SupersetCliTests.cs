using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Superset;
using Analytics.Testing;

namespace Analytics.Cli.Tests;

/// <summary><c>analytics superset bundle</c> on a real warehouse: datasets carry the columns the marts were built with.</summary>
[Collection(InProcessCli.Collection)]
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
        Assert.Contains("17 mart datasets", written.Output);
        await using var file = File.OpenRead(zip);
        var bundle = SupersetBundle.ReadZip(file);
        Assert.Empty(BundleValidator.Validate(bundle));
        var growth = bundle.Files["datasets/analytics_warehouse/growth_metrics.yaml"];
        Assert.Contains("column_name: stickiness", growth);
        Assert.Contains("main_dttm_col: date", growth);
        Assert.DoesNotContain(new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString).Password ?? "\u0000", string.Concat(bundle.Files.Values));
        // A classified column (user_id: pii) is not in the dataset: the role Superset connects as may not read it.
        var negative = bundle.Files["datasets/analytics_warehouse/users_with_negative_miles.yaml"];
        Assert.Contains("column_name: min_balance", negative);
        Assert.DoesNotContain("column_name: user_id", negative);

        // With a reader password, Superset connects as the reader role, which reads the marts' unclassified columns only.
        const string password = "reader-pass-0123456789";
        var readerZip = Path.Combine(TestFiles.Folder(), "reader.zip");
        var reader = await RunAsync("superset", "bundle", "--out", readerZip, "--reader-password", password);
        Assert.True(reader.Exit == 0, reader.Error);
        await using (var readerFile = File.OpenRead(readerZip))
        {
            var database = SupersetBundle.ReadZip(readerFile).Files.Single(f => f.Key.StartsWith("databases/", StringComparison.Ordinal)).Value;
            Assert.Contains("postgresql+psycopg2://analytics_superset:XXXXXXXXXX@", database);
            Assert.DoesNotContain(password, database);
        }

        var asReader = new Npgsql.NpgsqlConnectionStringBuilder(db.ConnectionString) { Username = "analytics_superset", Password = password, Pooling = false };
        await using var connection = new Npgsql.NpgsqlConnection(asReader.ConnectionString);
        await connection.OpenAsync();
        async Task<string?> DeniedAsync(string sql)
        {
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            try
            {
                await command.ExecuteScalarAsync();
                return null;
            }
            catch (Npgsql.PostgresException e)
            {
                return e.SqlState;
            }
        }

        Assert.Null(await DeniedAsync("select min(min_balance) from marts.users_with_negative_miles"));
        Assert.Null(await DeniedAsync("select sum(dau) from marts.growth_metrics"));
        Assert.Equal("42501", await DeniedAsync("select count(user_id) from marts.users_with_negative_miles"));
        Assert.Equal("42501", await DeniedAsync("select * from marts.users_with_negative_miles"));
        Assert.Equal("42501", await DeniedAsync("select count(*) from core.dim_users"));
        Assert.Equal("42501", await DeniedAsync("select count(*) from raw.raw_events"));

        var weak = await RunAsync("superset", "bundle", "--out", readerZip, "--reader-password", "short' or 1");
        Assert.Equal(CliApp.BadInput, weak.Exit);
        Assert.Contains("--reader-password must be 12 to 128", weak.Error);
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
