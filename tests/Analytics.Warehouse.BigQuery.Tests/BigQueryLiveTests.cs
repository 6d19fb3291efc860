using System.Globalization;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>Runs only where a real BigQuery project, credentials and a staging bucket are configured; says which is missing otherwise.</summary>
public sealed class LiveBigQueryFactAttribute : FactAttribute
{
    public static readonly string[] Variables = ["GOOGLE_APPLICATION_CREDENTIALS", "ANALYTICS_BIGQUERY_PROJECT", "ANALYTICS_GCS_STAGING"];

    public LiveBigQueryFactAttribute()
    {
        var missing = Variables.Where(v => string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(v))).ToList();
        if (missing.Count > 0)
        {
            Skip = $"needs a real BigQuery project: set {string.Join(", ", missing)} (a service-account key, the project, a gs:// staging prefix)";
        }
    }
}

/// <summary>
/// The same generated events through both warehouses: ingested into PostgreSQL and, through GCS, into BigQuery
/// (under datasets with a one-off prefix, dropped afterwards); every asset materialized on both; the day-grain
/// metrics compared row for row.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BigQueryLiveTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [LiveBigQueryFact]
    public async Task The_marts_on_bigquery_equal_the_marts_on_postgres()
    {
        var prefix = $"analytics_ci_{Guid.NewGuid():N}"[..24] + "_";
        var bigQuery = BigQuerySettings.FromEnvironment() with { DatasetPrefix = prefix };
        var onBigQuery = new AnalyticsSettings(null, db.ConnectionString, TestFiles.Folder(), TestFiles.RepositoryAssets, "bigquery") { BigQuery = bigQuery };
        var onPostgres = new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        var events = Path.Combine(TestFiles.Folder(), "events.csv");
        using var transport = GoogleRestTransport.Create(emulator: false);
        var client = new BigQueryClient(transport, bigQuery);
        try
        {
            Assert.Equal(0, (await InProcessCli.RunAsync(onPostgres, "generate-events", "--out", events, "--users", "40", "--days", "45", "--seed", "7", "--dirty-rate", "0.02")).Exit);
            Assert.Equal(0, (await InProcessCli.RunAsync(onPostgres, "ingest", events)).Exit);
            Assert.Equal(0, (await InProcessCli.RunAsync(onPostgres, "materialize", "*")).Exit);
            var ingest = await InProcessCli.RunAsync(onBigQuery, "ingest", events);
            Assert.True(ingest.Exit == 0, ingest.Output + ingest.Error);
            var run = await InProcessCli.RunAsync(onBigQuery, "materialize", "*");
            Assert.True(run.Exit == 0, run.Output + run.Error);

            var expected = await db.RowsAsync("select date::text, dau, wau, mau, new_users, churned_users from marts.growth_metrics order by date");
            var actual = await client.QueryAsync(
                $"select cast(date as string), dau, wau, mau, new_users, churned_users from `{bigQuery.Project}.{prefix}marts.growth_metrics` order by date",
                10_000, "reading growth_metrics", CancellationToken.None);
            Assert.Equal(
                expected.Select(r => string.Join(",", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))),
                actual.Rows.Select(r => string.Join(",", r)));
        }
        finally
        {
            foreach (var layer in new[] { "raw", "staging", "core", "marts" })
            {
                await client.ExecuteAsync($"DROP SCHEMA IF EXISTS `{bigQuery.Project}.{prefix}{layer}` CASCADE", "dropping a test dataset", CancellationToken.None);
            }
        }
    }

}
