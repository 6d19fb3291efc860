using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// A small event stream whose every mart row was worked out by hand: a user who churns and comes back, a month
/// with no activity at all, a first partial week, two events in the same second, a balance that dips below zero
/// and recovers, a time zone that moves an event to the next day, and dirty rows that must not count.
/// </summary>
public class MartsHandComputedTests(MartsHandComputedTests.Pipeline pipeline) : IClassFixture<MartsHandComputedTests.Pipeline>
{
    private static readonly string[] Events =
    [
        TestFiles.Header,
        "2025-01-01 09:00:00,alice,like,,,ios,google,SG",
        "2025-01-01 09:00:00,alice,like,,,ios,google,SG",
        "2025-01-01 12:00:00,bob,share,,,android,organic,TH",
        "2025-01-02 08:00:00,alice,miles_earned,dining,50,web,google,SG",
        "2025-01-02 08:00:00,alice,reward_search,travel,,web,google,SG",
        "2025-01-15 10:00:00,carol,miles_redeemed,travel,150,android,facebook,MY",
        "2025-01-15 10:00:00,carol,miles_earned,dining,100,ios,facebook,MY",
        "2025-01-16 23:30:00-02:00,carol,miles_earned,,80,ios,facebook,MY",
        "2025-01-20 07:00:00,alice,like,,,ios,google,SG",
        "2025-03-03 10:00:00,bob,like,,,android,organic,TH",
        "2025-01-05 10:00:00,dave,transfer,,,ios,google,SG",
        "2025-01-05 10:00:00,alice,miles_earned,dining,-5,ios,google,SG",
        "2025-01-10 25:00:00,erin,like,,,ios,google,SG",
    ];

    /// <summary>Ingests the events and materializes every asset once for the whole class.</summary>
    public sealed class Pipeline : MaterializedPipeline
    {
        protected override IEnumerable<string[]> Files => [Events];
    }

    private DatabaseFixture Db => pipeline.Db;

    private async Task<List<string>> Rows(string sql) =>
        (await Db.RowsAsync(sql)).Select(r => string.Join(" ", r.Select(Format))).ToList();

    private static string Format(object? value) => value switch
    {
        null => "null",
        DateTime t when t.TimeOfDay == TimeSpan.Zero => t.ToString("yyyy-MM-dd"),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss"),
        DateOnly d => d.ToString("yyyy-MM-dd"),
        decimal m => (decimal.Round(m, 4) / 1.0000m).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!,
    };

    [Fact]
    public void Every_asset_builds_and_every_check_passes()
    {
        Assert.True(pipeline.Exit == 0, pipeline.Output);
    }

    [Fact]
    public async Task Dirty_rows_are_kept_aside_and_exact_duplicates_count_once()
    {
        Assert.Equal(["13 10 3"], await Rows("select rows_read, rows_loaded, rows_rejected from raw.ingest_manifest"));
        Assert.Equal(9L, await Db.ScalarAsync<long>("select count(*) from staging.stg_events"));
        Assert.Equal(9L, await Db.ScalarAsync<long>("select count(distinct event_id) from core.fct_events"));
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from core.dim_users where user_id in ('dave', 'erin')"));
    }

    [Fact]
    public async Task Dim_users_takes_first_touch_by_time_then_ingestion_order()
    {
        Assert.Equal(
            [
                "alice 2025-01-01 09:00:00 2025-01-20 07:00:00 ios google SG 4 3 50 0 50",
                "bob 2025-01-01 12:00:00 2025-03-03 10:00:00 android organic TH 2 2 0 0 0",
                "carol 2025-01-15 10:00:00 2025-01-17 01:30:00 android facebook MY 3 2 180 150 30",
            ],
            await Rows("select user_id, first_event_at, last_event_at, first_platform, first_utm_source, first_country, total_events, active_days, miles_earned, miles_redeemed, miles_balance from core.dim_users order by user_id"));
    }

    [Fact]
    public async Task Growth_metrics_counts_rolling_windows_and_daily_accounting()
    {
        Assert.Equal(62L, await Db.ScalarAsync<long>("select count(*) from marts.growth_metrics"));
        Assert.Equal(
            [
                "2025-01-01 2 2 2 1 2 0 0 0",
                "2025-01-02 1 2 2 0.5 0 1 0 1",
                "2025-01-03 0 2 2 0 0 0 0 1",
                "2025-01-07 0 2 2 0 0 0 0 0",
                "2025-01-08 0 1 2 0 0 0 0 0",
                "2025-01-09 0 0 2 0 0 0 0 0",
                "2025-01-15 1 1 3 0.3333 1 0 0 0",
                "2025-01-16 0 1 3 0 0 0 0 1",
                "2025-01-17 1 1 3 0.3333 0 0 1 0",
                "2025-01-20 1 2 3 0.3333 0 0 1 0",
                "2025-01-21 0 2 3 0 0 0 0 1",
                "2025-01-28 0 0 3 0 0 0 0 0",
                "2025-01-29 0 0 2 0 0 0 0 0",
                "2025-02-16 0 0 1 0 0 0 0 0",
                "2025-02-17 0 0 0 null 0 0 0 0",
                "2025-03-03 1 1 1 1 0 0 1 0",
            ],
            await Rows("""
                select date, dau, wau, mau, stickiness, new_users, retained_users, resurrected_users, churned_users
                from marts.growth_metrics
                where date in ('2025-01-01', '2025-01-02', '2025-01-03', '2025-01-07', '2025-01-08', '2025-01-09', '2025-01-15',
                               '2025-01-16', '2025-01-17', '2025-01-20', '2025-01-21', '2025-01-28', '2025-01-29', '2025-02-16',
                               '2025-02-17', '2025-03-03')
                order by date
                """));
    }

    [Fact]
    public async Task Weekly_and_monthly_growth_accounting_include_empty_periods()
    {
        Assert.Equal(
            [
                "week 2024-12-30 2 2 0 0 0 null null 2",
                "week 2025-01-06 0 0 0 0 2 0 0 -2",
                "week 2025-01-13 1 1 0 0 0 null null 1",
                "week 2025-01-20 1 0 0 1 1 1 0 0",
                "week 2025-01-27 0 0 0 0 1 0 0 -1",
                "week 2025-02-03 0 0 0 0 0 null null 0",
                "week 2025-02-10 0 0 0 0 0 null null 0",
                "week 2025-02-17 0 0 0 0 0 null null 0",
                "week 2025-02-24 0 0 0 0 0 null null 0",
                "week 2025-03-03 1 0 0 1 0 null null 1",
                "month 2025-01-01 3 3 0 0 0 null null 3",
                "month 2025-02-01 0 0 0 0 3 0 0 -3",
                "month 2025-03-01 1 0 0 1 0 null null 1",
            ],
            await Rows("""
                select grain, period_start, active_users, new_users, retained_users, resurrected_users, churned_users,
                       quick_ratio, gross_retention, net_change
                from marts.social_capital_growth_accounting order by grain desc, period_start
                """));
    }

    [Fact]
    public async Task Quick_ratio_analysis_averages_non_null_ratios_and_signals()
    {
        Assert.Equal(
            [
                "2024-12-30 null null no_churn",
                "2025-01-06 0 0 shrinking",
                "2025-01-13 null 0 no_churn",
                "2025-01-20 1 0.5 growing",
                "2025-01-27 0 0.5 shrinking",
                "2025-02-03 null 0.5 no_churn",
                "2025-02-10 null 0 no_churn",
                "2025-02-17 null null no_churn",
                "2025-02-24 null null no_churn",
                "2025-03-03 null null no_churn",
            ],
            await Rows("select period_start, quick_ratio, quick_ratio_avg_3, growth_signal from marts.quick_ratio_analysis where grain = 'week' order by period_start"));
    }

    [Fact]
    public async Task Retention_cohorts_are_full_triangles_with_zero_cells()
    {
        Assert.Equal(
            [
                "week 2024-12-30 0 2 2 1", "week 2024-12-30 1 2 0 0", "week 2024-12-30 2 2 0 0", "week 2024-12-30 3 2 1 0.5",
                "week 2024-12-30 4 2 0 0", "week 2024-12-30 5 2 0 0", "week 2024-12-30 6 2 0 0", "week 2024-12-30 7 2 0 0",
                "week 2024-12-30 8 2 0 0", "week 2024-12-30 9 2 1 0.5",
                "week 2025-01-13 0 1 1 1", "week 2025-01-13 1 1 0 0", "week 2025-01-13 2 1 0 0", "week 2025-01-13 3 1 0 0",
                "week 2025-01-13 4 1 0 0", "week 2025-01-13 5 1 0 0", "week 2025-01-13 6 1 0 0", "week 2025-01-13 7 1 0 0",
                "month 2025-01-01 0 3 3 1", "month 2025-01-01 1 3 0 0", "month 2025-01-01 2 3 1 0.3333",
            ],
            await Rows("""
                select cohort_grain, cohort_start, period_number, cohort_size, retained_users, retention_rate
                from marts.retention_cohorts order by cohort_grain desc, cohort_start, period_number
                """));
    }

    [Fact]
    public async Task Retention_quality_measures_tenure_streaks_and_stage()
    {
        Assert.Equal(
            [
                "alice 2025-01-01 2025-01-20 19 3 0.15 2 growing",
                "bob 2025-01-01 2025-03-03 61 2 0.0323 1 established",
                "carol 2025-01-15 2025-01-17 2 2 0.6667 1 new",
            ],
            await Rows("""
                select user_id, first_active_date, last_active_date, tenure_days, active_days, activity_rate, longest_streak_days, lifecycle_stage
                from marts.retention_quality_framework order by user_id
                """));
    }

    [Fact]
    public async Task Resurrections_are_returns_after_seven_or_more_whole_inactive_days()
    {
        Assert.Equal(
            ["alice 2025-01-02 2025-01-20 17 medium", "bob 2025-01-01 2025-03-03 60 very_long"],
            await Rows("select user_id, previous_active_date, returned_date, dormant_days, dormancy_bucket from marts.user_resurrection_analysis order by user_id"));
    }

    [Fact]
    public async Task Growth_drivers_count_new_users_under_first_touch_attributes()
    {
        Assert.Equal(
            [
                "2025-01-01 android organic TH 1 1 1 0 0",
                "2025-01-01 ios google SG 1 1 1 0 0",
                "2025-01-02 web google SG 2 1 0 50 0",
                "2025-01-15 android facebook MY 1 1 1 0 150",
                "2025-01-15 ios facebook MY 1 1 0 100 0",
                "2025-01-17 ios facebook MY 1 1 0 80 0",
                "2025-01-20 ios google SG 1 1 0 0 0",
                "2025-03-03 android organic TH 1 1 0 0 0",
            ],
            await Rows("""
                select date, platform, utm_source, country, events, active_users, new_users, miles_earned, miles_redeemed
                from marts.growth_drivers order by date, platform
                """));
    }

    [Fact]
    public async Task Miles_analytics_covers_only_pairs_with_miles_events()
    {
        Assert.Equal(
            [
                "2025-01-02 dining 50 0 50 1 0 1 0",
                "2025-01-15 dining 100 0 100 1 0 1 0",
                "2025-01-15 travel 0 150 -150 0 1 0 1",
                "2025-01-17 none 80 0 80 1 0 1 0",
            ],
            await Rows("""
                select date, transaction_category, miles_earned, miles_redeemed, net_miles, earn_events, redeem_events, earning_users, redeeming_users
                from marts.miles_analytics order by date, transaction_category
                """));
    }

    [Fact]
    public async Task Negative_balances_apply_earned_before_redeemed_at_equal_times()
    {
        Assert.Equal(
            ["carol 2025-01-15 10:00:00 -50 30"],
            await Rows("select user_id, first_negative_at, min_balance, final_balance from marts.users_with_negative_miles"));
    }

    [Fact]
    public async Task Acquisition_channel_retention_follows_first_touch_weekly()
    {
        Assert.Equal(80L, await Db.ScalarAsync<long>("select count(*) from marts.acquisition_channel_retention"));
        Assert.Equal(
            [
                "platform android 0 2 2 1", "platform android 9 2 1 0.5", "platform ios 0 1 1 1", "platform ios 3 1 1 1",
                "utm_source facebook 0 1 1 1", "utm_source google 0 1 1 1", "utm_source google 3 1 1 1",
                "utm_source organic 0 1 1 1", "utm_source organic 9 1 1 1",
            ],
            await Rows("""
                select dimension, dimension_value, week_number, users, retained_users, retention_rate
                from marts.acquisition_channel_retention
                where retained_users > 0 and dimension <> 'country' order by dimension, dimension_value, week_number
                """));
    }

    [Fact]
    public async Task Category_engagement_counts_weekly_events_users_and_miles()
    {
        Assert.Equal(
            [
                "2024-12-30 like none 1 1 0", "2024-12-30 miles_earned dining 1 1 50", "2024-12-30 reward_search travel 1 1 0",
                "2024-12-30 share none 1 1 0", "2025-01-13 miles_earned dining 1 1 100", "2025-01-13 miles_earned none 1 1 80",
                "2025-01-13 miles_redeemed travel 1 1 150", "2025-01-20 like none 1 1 0", "2025-03-03 like none 1 1 0",
            ],
            await Rows("""
                select week_start, event_type, transaction_category, events, users, miles
                from marts.category_engagement order by week_start, event_type, transaction_category
                """));
    }
}
