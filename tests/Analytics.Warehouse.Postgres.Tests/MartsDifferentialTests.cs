using Analytics.Cli;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// Generated events (with dirty rows and duplicates) through the whole pipeline, every mart compared row for row
/// with <see cref="ReferenceMarts"/>, which computes them in memory from the definitions.
/// </summary>
public class MartsDifferentialTests(MartsDifferentialTests.Pipeline pipeline) : IClassFixture<MartsDifferentialTests.Pipeline>
{
    public sealed class Pipeline : IAsyncLifetime
    {
        public DatabaseFixture Db { get; } = new();

        public ReferenceMarts Reference { get; private set; } = null!;

        public string Output { get; private set; } = "";

        public int Exit { get; private set; }

        public async Task InitializeAsync()
        {
            await Db.InitializeAsync();
            var settings = new AnalyticsSettings(Db.ConnectionString, null, null, TestFiles.RepositoryAssets);
            var csv = Path.Combine(TestFiles.Folder(), "events.csv");
            var output = new StringWriter();
            Assert.Equal(0, await CliApp.RunAsync(
                ["generate-events", "--out", csv, "--users", "250", "--days", "100", "--seed", "17", "--dirty-rate", "0.04"], output, output, settings));
            Assert.Equal(0, await CliApp.RunAsync(["ingest", csv], output, output, settings));
            Exit = await CliApp.RunAsync(["materialize", "*"], output, output, settings);
            Output = output.ToString();
            Reference = new ReferenceMarts(csv);
        }

        public Task DisposeAsync() => Db.DisposeAsync();
    }

    private async Task AssertSameRows(List<string> expected, string sql)
    {
        var actual = (await pipeline.Db.RowsAsync(sql)).Select(r => ReferenceMarts.Row(r)).Order(StringComparer.Ordinal).ToList();
        var wanted = expected.Order(StringComparer.Ordinal).ToList();
        Assert.True(wanted.Count > 0, "the reference computed no rows");
        var missing = wanted.Except(actual).Take(5).ToList();
        var extra = actual.Except(wanted).Take(5).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && wanted.Count == actual.Count,
            $"{wanted.Count} expected rows, {actual.Count} actual.\nmissing: {string.Join("\n  ", missing)}\nunexpected: {string.Join("\n  ", extra)}");
    }

    [Fact]
    public async Task Each_incremental_tables_unique_check_led_by_its_partition_reads_an_index_in_order_instead_of_sorting_the_table()
    {
        Assert.True(pipeline.Exit == 0, pipeline.Output);
        var project = AssetProject.Load(TestFiles.RepositoryAssets);
        var checkedInOrder = new List<string>();
        foreach (var asset in project.Graph.Keys.Select(k => project.Graph[k]).Where(a => a.Incremental is { PartitionBy: not null }))
        {
            foreach (var check in asset.Checks.Where(c => c.Kind == CheckKind.Unique && c.Columns.Contains(asset.Incremental!.PartitionBy!)))
            {
                var sql = CheckSqlBuilder.FailingRows(check, PostgresDialect.Instance.Relation(asset.Schema, asset.Key.Name), PostgresDialect.Instance,
                    k => k.Name, indexes: asset.TableIndexes);
                // Sorting disabled, PostgreSQL still sorts when no index gives the order (or the check may not use one,
                // as a check of a whole table otherwise may not): a Sort node means it reads no index in order.
                var plan = await ExplainWithoutSortsAsync(sql, scanOnly: CheckSqlBuilder.ReadsWholeTable(check, null) && !CheckSqlBuilder.WalksTableOrder(check, asset));
                Assert.True(!plan.Contains("Sort", StringComparison.Ordinal) && plan.Contains("Index", StringComparison.Ordinal), $"{check.Name}:\n{plan}");
                checkedInOrder.Add(asset.Key.Name);
            }
        }

        Assert.Contains("user_activity_days", checkedInOrder);
        Assert.Contains("user_activity_periods", checkedInOrder);
        Assert.Contains("stg_events", checkedInOrder);
    }

    private async Task<string> ExplainWithoutSortsAsync(string sql, bool scanOnly)
    {
        await using var connection = await pipeline.Db.DataSource.OpenConnectionAsync();
        // The settings the warehouse gives a check that must scan (PostgresWarehouse.QueryFailuresAsync).
        var settings = scanOnly ? "; set enable_indexscan = off; set enable_indexonlyscan = off; set enable_bitmapscan = off" : "";
        await using (var off = new Npgsql.NpgsqlCommand("set enable_sort = off" + settings, connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new Npgsql.NpgsqlCommand($"explain {sql}", connection);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join("\n", lines);
    }

    [Fact]
    public void The_run_succeeds_on_generated_data_with_dirty_rows()
    {
        Assert.True(pipeline.Exit == 0, pipeline.Output);
        Assert.True(pipeline.Reference.EventCount > 2000, $"only {pipeline.Reference.EventCount} events");
    }

    [Fact]
    public Task Growth_metrics_match() => AssertSameRows(pipeline.Reference.GrowthMetrics(),
        "select date, dau, wau, mau, stickiness, new_users, retained_users, resurrected_users, churned_users from marts.growth_metrics");

    [Fact]
    public Task Social_capital_growth_accounting_matches() => AssertSameRows(pipeline.Reference.SocialCapital(),
        "select grain, period_start, active_users, new_users, retained_users, resurrected_users, churned_users, quick_ratio, gross_retention, net_change from marts.social_capital_growth_accounting");

    [Fact]
    public Task Quick_ratio_analysis_matches() => AssertSameRows(pipeline.Reference.QuickRatio(),
        "select grain, period_start, new_users, resurrected_users, churned_users, quick_ratio, quick_ratio_avg_3, growth_signal from marts.quick_ratio_analysis");

    [Fact]
    public Task Retention_cohorts_match() => AssertSameRows(pipeline.Reference.RetentionCohorts(),
        "select cohort_grain, cohort_start, period_number, cohort_size, retained_users, retention_rate from marts.retention_cohorts");

    [Fact]
    public Task Retention_quality_framework_matches() => AssertSameRows(pipeline.Reference.RetentionQuality(),
        "select user_id, first_active_date, last_active_date, tenure_days, active_days, activity_rate, longest_streak_days, lifecycle_stage from marts.retention_quality_framework");

    [Fact]
    public Task User_resurrection_analysis_matches() => AssertSameRows(pipeline.Reference.Resurrections(),
        "select user_id, previous_active_date, returned_date, dormant_days, dormancy_bucket from marts.user_resurrection_analysis");

    [Fact]
    public Task Growth_drivers_match() => AssertSameRows(pipeline.Reference.GrowthDrivers(),
        "select date, platform, utm_source, country, events, active_users, new_users, miles_earned, miles_redeemed from marts.growth_drivers");

    [Fact]
    public Task Miles_analytics_matches() => AssertSameRows(pipeline.Reference.MilesAnalytics(),
        "select date, transaction_category, miles_earned, miles_redeemed, net_miles, earn_events, redeem_events, earning_users, redeeming_users from marts.miles_analytics");

    [Fact]
    public Task Users_with_negative_miles_match() => AssertSameRows(pipeline.Reference.NegativeMiles(),
        "select user_id, first_negative_at, min_balance, final_balance from marts.users_with_negative_miles");

    [Fact]
    public Task Acquisition_channel_retention_matches() => AssertSameRows(pipeline.Reference.AcquisitionChannelRetention(),
        "select dimension, dimension_value, week_number, users, retained_users, retention_rate from marts.acquisition_channel_retention");

    [Fact]
    public Task Category_engagement_matches() => AssertSameRows(pipeline.Reference.CategoryEngagement(),
        "select week_start, event_type, transaction_category, events, users, miles from marts.category_engagement");
}
