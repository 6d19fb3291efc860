using Analytics.Core.Ingest;
using Analytics.Orchestration;
using Analytics.Testing;
using Npgsql;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// Incremental materialization through the CLI, on small hand-written loads: what is rebuilt and why, what the run
/// store records, backfill, full refresh, gap filling, a changed definition, and a failed run that leaves every
/// partition old or new.
/// </summary>
public class IncrementalTests : IAsyncLifetime
{
    private const string Header = "event_time,user_id,event_type,transaction_category,miles_amount,platform,utm_source,country";
    private readonly DatabaseFixture _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private AnalyticsSettings Settings(string? assets = null) => new(_db.ConnectionString, null, null, assets ?? TestFiles.RepositoryAssets);

    private async Task<string> RunAsync(params string[] args) => await RunAsync(Settings(), args);

    private static async Task<string> RunAsync(AnalyticsSettings settings, params string[] args)
    {
        var (exit, output, error) = await InProcessCli.RunAsync(settings, args);
        Assert.True(exit == 0, $"analytics {string.Join(' ', args)} exited {exit}:\n{output}{error}");
        return output;
    }

    private static string Load(params string[] events) => TestFiles.Csv([Header, .. events]);

    private static string Event(string time, string user, string type = "share") => $"{time},{user},{type},,,ios,organic,SG";

    /// <summary>A load of <paramref name="count"/> events of one day of March 2025, a second apart, each by its own user.</summary>
    private static string DayOfEvents(int day, int count) =>
        Load([.. Enumerable.Range(0, count).Select(i => Event($"2025-03-{day:00} {i / 3600 % 24:00}:{i / 60 % 60:00}:{i % 60:00}", $"u{i}"))]);

    private async Task<List<string>> TextRowsAsync(string query) => (await _db.RowsAsync(query)).Select(r => (string)r[0]!).ToList();

    /// <summary>
    /// <paramref name="query"/> (one text column) shows <paramref name="expected"/> after the incremental build, and
    /// the same after a full refresh of <paramref name="asset"/>: what the increment wrote is what a rebuild computes.
    /// </summary>
    private async Task AssertBuiltAsAFullRefreshWouldAsync(string asset, string query, IReadOnlyList<string> expected)
    {
        Assert.Equal(expected, await TextRowsAsync(query));
        await RunAsync("materialize", asset, "--full-refresh");
        Assert.Equal(expected, await TextRowsAsync(query));
    }

    private Task<List<object?[]>> PartitionsAsync(string asset) =>
        _db.RowsAsync($"select partition_start::text, reason from runstore.asset_partitions where asset_key = '{asset}' order by 1");

    [Fact]
    public async Task A_new_load_rebuilds_only_the_days_it_touches_and_says_why()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-02 10:00:00", "a"), Event("2025-03-10 10:00:00", "b")));
        var first = await RunAsync("materialize", "+fct_events");
        Assert.Contains("full build: first build", first);
        Assert.Equal(10, (await PartitionsAsync("fct_events")).Count); // 2025-03-01..10, empty days included.

        // A new day, a late event inside the 3-day lookback and one far older than it.
        await RunAsync("ingest", Load(Event("2025-03-11 09:00:00", "c"), Event("2025-03-09 09:00:00", "a"), Event("2025-03-01 11:00:00", "b")));
        var second = await RunAsync("materialize", "+fct_events");

        Assert.Contains("incremental: 3 partition(s) (1 new, 1 late, 1 restated) 2025-03-01..2025-03-11", second);
        var partitions = (await PartitionsAsync("fct_events")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal("restated", partitions["2025-03-01"]);
        Assert.Equal("late", partitions["2025-03-09"]);
        Assert.Equal("new", partitions["2025-03-11"]);
        Assert.Equal("full", partitions["2025-03-05"]);
        Assert.Equal(6L, await _db.ScalarAsync<long>("select count(*) from core.fct_events"));
        Assert.Equal(2L, await _db.ScalarAsync<long>("select load_id from runstore.incremental_state where asset_key = 'fct_events'"));

        var third = await RunAsync("materialize", "+fct_events");
        Assert.Contains("up to date: no partition changed", third);
    }

    [Fact]
    public async Task A_reopened_day_rewrites_only_its_rows_that_changed_and_keeps_the_others_where_they_are()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-01 11:00:00", "b"), Event("2025-03-01 12:00:00", "c"),
            Event("2025-03-02 10:00:00", "a")));
        await RunAsync("materialize", "+user_activity_days");
        const string Places = "select user_id || ' ' || activity_date || ' ' || events || ' ' || ctid from core.user_activity_days order by 1";
        var before = await TextRowsAsync(Places);

        // A late event for a on the 1st, a new day for d: a's row on the 1st changes (1 event to 2), d's is new, and
        // b's and c's rows on the 1st (and a's on the 2nd) are the same rows in the same places.
        await RunAsync("ingest", Load(Event("2025-03-01 13:00:00", "a"), Event("2025-03-03 10:00:00", "d")));
        var run = await RunAsync("materialize", "+user_activity_days");

        Assert.Matches(@"user_activity_days\s+2 rows", run);
        var after = await TextRowsAsync(Places);
        Assert.Equal(before.Where(r => !r.StartsWith("a 2025-03-01", StringComparison.Ordinal)), after.Where(r => r[0] is 'b' or 'c' || r.StartsWith("a 2025-03-02", StringComparison.Ordinal)));
        Assert.StartsWith("a 2025-03-01 2 ", after[0]);
        Assert.StartsWith("d 2025-03-03 1 ", after[^1]);
        await AssertBuiltAsAFullRefreshWouldAsync("user_activity_days",
            "select user_id || ' ' || activity_date || ' ' || events from core.user_activity_days order by 1",
            ["a 2025-03-01 2", "a 2025-03-02 1", "b 2025-03-01 1", "c 2025-03-01 1", "d 2025-03-03 1"]);
    }

    [Fact]
    public async Task An_asset_never_runs_ahead_of_an_upstream_that_has_not_taken_in_a_load()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a")));
        await RunAsync("materialize", "+fct_events");
        await RunAsync("ingest", Load(Event("2025-03-02 10:00:00", "b")));

        // stg_events is not selected, so it does not have load 2 yet: fct_events must not count load 2 as done.
        Assert.Contains("up to date", await RunAsync("materialize", "fct_events"));
        Assert.Equal(1L, await _db.ScalarAsync<long>("select load_id from runstore.incremental_state where asset_key = 'fct_events'"));

        await RunAsync("materialize", "+fct_events");
        Assert.Equal(2L, await _db.ScalarAsync<long>("select count(*) from core.fct_events"));
    }

    [Fact]
    public async Task A_one_day_table_records_its_day_and_a_load_touching_thousands_of_days_builds_whole()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a")));
        await RunAsync("materialize", "+fct_events");
        Assert.Equal(1L, await _db.ScalarAsync<long>("select count(*) from runstore.asset_partitions where asset_key = 'fct_events'"));

        var days = Enumerable.Range(1, 2001).Select(i => Event($"{new DateOnly(2019, 1, 1).AddDays(i):yyyy-MM-dd} 10:00:00", "b")).ToArray();
        await RunAsync("ingest", Load(days));

        Assert.Contains("full build: more than 2000 partitions changed", await RunAsync("materialize", "+fct_events"));
        Assert.Equal(2002L, await _db.ScalarAsync<long>("select count(*) from core.fct_events"));
    }

    [Fact]
    public async Task Intervals_shows_built_ranges_gaps_and_reasons()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-04 10:00:00", "b")));
        await RunAsync("materialize", "+user_activity_days");
        await _db.ExecuteAsync("delete from runstore.asset_partitions where asset_key = 'user_activity_days' and partition_start = '2025-03-02'");

        var shown = await RunAsync("intervals", "user_activity_days");

        Assert.Contains("user_activity_days: incremental by day on activity_date, lookback 3 day(s)", shown);
        Assert.Contains("current with load 1", shown);
        Assert.Contains("built:  2025-03-01, 2025-03-03..2025-03-04 (3 partitions)", shown);
        Assert.Contains("gaps:   2025-03-02 (1; the next materialize fills them)", shown);

        var filled = await RunAsync("materialize", "+user_activity_days");
        Assert.Contains("incremental: 1 partition(s) (1 gap) 2025-03-02..2025-03-02", filled);
        Assert.Contains("gaps:   none", await RunAsync("intervals", "user_activity_days"));
        Assert.Contains("incremental by key user_id", await RunAsync("intervals", "dim_users"));
    }

    [Fact]
    public async Task A_deleted_partition_is_restored_by_a_backfill_and_recorded_as_one()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-02 10:00:00", "a"), Event("2025-03-03 10:00:00", "b")));
        await RunAsync("materialize", "+fct_events");
        await _db.ExecuteAsync("delete from core.fct_events where event_date = '2025-03-02'");

        var output = await RunAsync("backfill", "fct_events", "--from", "2025-03-02", "--to", "2025-03-02");

        Assert.Contains("incremental: 1 partition(s) (1 backfill) 2025-03-02..2025-03-02", output);
        Assert.Equal(3L, await _db.ScalarAsync<long>("select count(*) from core.fct_events"));
        Assert.Equal("backfill", await _db.ScalarAsync<string>(
            "select reason from runstore.asset_partitions where asset_key = 'fct_events' and partition_start = '2025-03-02'"));
    }

    [Fact]
    public async Task Full_refresh_and_a_changed_definition_build_whole()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a")));
        await RunAsync("materialize", "+fct_events");
        Assert.Contains("full build: full refresh requested", await RunAsync("materialize", "fct_events", "--full-refresh"));
        // Only the selection is refreshed: its upstream was not selected.
        Assert.DoesNotContain("stg_events", await RunAsync("materialize", "fct_events", "--full-refresh"));

        var assets = Path.Combine(TestFiles.Folder(), "assets-sql");
        CopyFolder(TestFiles.RepositoryAssets, assets);
        var fct = Path.Combine(assets, "core", "fct_events.sql");
        File.WriteAllText(fct, File.ReadAllText(fct).Replace("    e.line_number\nfrom", "    e.line_number,\n    1 as version\nfrom"));

        var changed = await RunAsync(Settings(assets), "materialize", "fct_events");
        Assert.Contains("full build: its SQL or an upstream asset's changed since the last build", changed);
        Assert.Equal(1, await _db.ScalarAsync<int>("select version from core.fct_events"));
    }

    [Fact]
    public async Task A_failed_incremental_run_leaves_every_partition_as_it_was_and_a_retry_completes_it()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-02 10:00:00", "b")));
        await RunAsync("materialize", "+fct_events");
        await RunAsync("ingest", Load(Event("2025-03-01 12:00:00", "c"), Event("2025-03-02 12:00:00", "d"), Event("2025-03-03 12:00:00", "poison")));
        // The insert fails on its last row, after the delete of the affected days has run in the same transaction.
        await _db.ExecuteAsync("""
            create function core.refuse_poison() returns trigger language plpgsql as
            $$ begin if new.user_id = 'poison' then raise exception 'refused'; end if; return new; end $$;
            create trigger refuse_poison before insert on core.fct_events for each row execute function core.refuse_poison();
            """);

        var (exit, output, _) = await InProcessCli.RunAsync(Settings(), "materialize", "+fct_events");

        Assert.Equal(1, exit);
        Assert.Contains("refused", output);
        Assert.Equal(["a", "b"], (await _db.RowsAsync("select user_id from core.fct_events order by 1")).Select(r => (string)r[0]!));
        Assert.Equal(1L, await _db.ScalarAsync<long>("select load_id from runstore.incremental_state where asset_key = 'fct_events'"));

        await _db.ExecuteAsync("drop trigger refuse_poison on core.fct_events");
        Assert.Contains("incremental: 3 partition(s)", await RunAsync("materialize", "+fct_events"));
        Assert.Equal(["a", "b", "c", "d", "poison"], (await _db.RowsAsync("select user_id from core.fct_events order by 1")).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Events_dated_years_apart_do_not_make_the_record_list_every_day_between()
    {
        // Year 1 and year 9999 are accepted once the range is widened to all of them. 3.65 M days lie between.
        var widest = Settings() with { EventTimes = EventTimeRange.Widest };
        await RunAsync(widest, "ingest", Load(Event("0001-01-01 10:00:00", "a"), Event("9999-12-31 10:00:00", "b")));
        Assert.Contains("full build: first build", await RunAsync("materialize", "+fct_events"));
        Assert.Equal(2L, await _db.ScalarAsync<long>("select count(*) from runstore.asset_partitions where asset_key = 'fct_events'"));

        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "c")));
        Assert.Contains("incremental: 1 partition(s) (1 restated) 2025-03-01..2025-03-01", await RunAsync("materialize", "+fct_events"));
        var shown = await RunAsync("intervals", "fct_events");
        Assert.Contains("built:  0001-01-01, 2025-03-01, 9999-12-31 (3 partitions)", shown);
        Assert.Contains("gaps:   not tracked", shown);
    }

    [Fact]
    public async Task An_event_in_the_calendars_last_week_stays_in_the_weekly_mart_when_that_week_is_rebuilt()
    {
        // The week of 9999-12-27 ends on the calendar's last day; its rebuild read that day too, or the event fell out.
        var widest = Settings() with { EventTimes = EventTimeRange.Widest };
        await RunAsync(widest, "ingest", Load(Event("2025-03-03 10:00:00", "a"), Event("9999-12-31 23:59:59.9999999", "b")));
        await RunAsync("materialize", "+category_engagement");

        await RunAsync(widest, "ingest", Load(Event("9999-12-28 10:00:00", "c")));
        Assert.Contains("incremental", await RunAsync("materialize", "+category_engagement"));

        Assert.Equal(3L, await _db.ScalarAsync<long>("select count(*) from core.fct_events"));
        Assert.Equal(3L, await _db.ScalarAsync<long>("select sum(events)::bigint from marts.category_engagement"));
        Assert.Equal(2L, await _db.ScalarAsync<long>("select events::bigint from marts.category_engagement where week_start = date '9999-12-27'"));
    }

    [Fact]
    public async Task Backfill_and_intervals_refuse_bad_input_with_the_fix()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a")));
        (string[] Args, string Message)[] cases =
        [
            (["backfill", "fct_events", "--from", "2025-03-05", "--to", "2025-03-01"], "is before --from"),
            (["backfill", "fct_events", "--from", "03/01/2025", "--to", "2025-03-01"], "write it as YYYY-MM-DD"),
            (["backfill", "fct_events", "--from", "2000-01-01", "--to", "2025-03-01"], "backfill in parts"),
            (["backfill", "fct_events", "--to", "2025-03-01"], "--from"),
            (["intervals", "fct_event"], "Did you mean 'fct_events'"),
            (["intervals", "quick_ratio_analysis"], "has no intervals"),
        ];
        foreach (var (args, message) in cases)
        {
            var (exit, output, error) = await InProcessCli.RunAsync(Settings(), args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: {exit}\n{output}{error}");
            Assert.Contains(message, error);
        }
    }

    [Fact]
    public async Task A_table_with_nothing_new_upstream_is_up_to_date_and_a_load_a_changed_definition_or_a_full_refresh_rebuild_it()
    {
        // A row no build writes: it survives exactly as long as retention_cohorts is not built again.
        Task MarkAsync() => _db.ExecuteAsync("insert into marts.retention_cohorts (tenant_id, cohort_grain, cohort_start, period_number) values ('marker', 'week', date '2000-01-03', 0)");
        Task<long> MarkersAsync() => _db.ScalarAsync<long>("select count(*) from marts.retention_cohorts where tenant_id = 'marker'");
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-02 10:00:00", "b")));
        await RunAsync("materialize", "+retention_cohorts");
        await MarkAsync();

        // Nothing new: neither retention_cohorts nor anything it reads is built again (the marker row stays).
        var idle = await RunAsync("materialize", "+retention_cohorts");
        Assert.Contains("up to date: no new loads, no definition changed", idle);
        Assert.Equal(1L, await MarkersAsync());

        // A load: the table is built again from it.
        await RunAsync("ingest", Load(Event("2025-03-03 10:00:00", "c")));
        await RunAsync("materialize", "+retention_cohorts");
        Assert.Equal(0L, await MarkersAsync());
        Assert.Equal(3L, await _db.ScalarAsync<long>("select cohort_size from marts.retention_cohorts where cohort_grain = 'month' and period_number = 0"));

        // A full refresh builds it whatever the run store says.
        await MarkAsync();
        await RunAsync("materialize", "retention_cohorts", "--full-refresh");
        Assert.Equal(0L, await MarkersAsync());

        // A changed definition upstream (user_activity_periods' SQL) builds it too.
        await MarkAsync();
        var assets = Path.Combine(TestFiles.Folder(), "assets-sql");
        CopyFolder(TestFiles.RepositoryAssets, assets);
        var periods = Path.Combine(assets, "core", "user_activity_periods.sql");
        File.WriteAllText(periods, File.ReadAllText(periods).Replace("union all\nselect tenant_id, 'month'", "union all\nselect /* changed */ tenant_id, 'month'"));
        var changed = await RunAsync(Settings(assets), "materialize", "+retention_cohorts");
        Assert.DoesNotContain("retention_cohorts: up to date", changed);
        Assert.Equal(0L, await MarkersAsync());

        // A dropped table is built again.
        await _db.ExecuteAsync("drop table marts.retention_cohorts");
        await RunAsync(Settings(assets), "materialize", "+retention_cohorts");
        Assert.True(await _db.ScalarAsync<long>("select count(*) from marts.retention_cohorts") > 0);
    }

    [Fact]
    public async Task A_change_to_a_day_rebuilds_every_later_day_of_a_running_total()
    {
        var assets = AssetsWith("events_so_far", """
            /*
            materialization: incremental
            partition_by: event_date
            lookback: 3 days
            affects_later: true
            */
            select event_date, cast(sum(count(*)) over (order by event_date) as bigint) as events_so_far
            from {{ ref('fct_events') }}
            group by event_date
            """);
        await RunAsync(Settings(assets), "ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-02 10:00:00", "a"), Event("2025-03-03 10:00:00", "b")));
        await RunAsync(Settings(assets), "materialize", "+events_so_far");

        await RunAsync(Settings(assets), "ingest", Load(Event("2025-03-02 11:00:00", "c")));
        var second = await RunAsync(Settings(assets), "materialize", "+events_so_far");

        Assert.Contains("incremental: 2 partition(s) (1 late, 1 following) 2025-03-02..2025-03-03", second);
        Assert.Equal([1L, 3L, 4L], (await _db.RowsAsync("select events_so_far from marts.events_so_far order by event_date")).Select(r => (long)r[0]!));
        var partitions = (await PartitionsAsync("events_so_far")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(("full", "late", "following"), (partitions["2025-03-01"], partitions["2025-03-02"], partitions["2025-03-03"]));
    }

    [Fact]
    public async Task Writing_by_what_differs_compares_rows_by_their_text_so_a_table_with_a_json_column_is_written_too()
    {
        // json has no equality operator: rows are compared by their text, which every type has.
        var assets = AssetsWith("daily_detail", """
            /*
            materialization: incremental
            partition_by: event_date
            checks:
              - unique: [event_date, user_id]
            */
            select event_date, user_id, json_build_object('events', count(*)) as detail
            from {{ ref('fct_events') }}
            {% if is_incremental() %}where event_date in {{ affected() }}{% endif %}
            group by event_date, user_id
            """);
        await RunAsync(Settings(assets), "ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-01 11:00:00", "b")));
        await RunAsync(Settings(assets), "materialize", "+daily_detail");

        await RunAsync(Settings(assets), "ingest", Load(Event("2025-03-01 12:00:00", "a")));
        var second = await RunAsync(Settings(assets), "materialize", "+daily_detail");

        Assert.Matches(@"daily_detail\s+1 rows", second);
        Assert.Equal(["a {\"events\" : 2}", "b {\"events\" : 1}"],
            await TextRowsAsync("select user_id || ' ' || detail::text from marts.daily_detail order by 1"));
    }

    [Fact]
    public async Task Dim_users_merges_new_events_into_the_stored_row_as_a_full_rebuild_computes_it()
    {
        const string tenants = Header + ",tenant_id";
        await RunAsync("ingest", TestFiles.Csv([tenants,
            "2025-03-02 10:00:00,a,share,,,ios,organic,SG,acme",
            "2025-03-02 12:00:00,a,miles_earned,,100,ios,organic,SG,acme",
            "2025-03-05 12:00:00,a,share,,,web,ads,TH,default"]));
        await RunAsync("materialize", "+dim_users");

        // Acme's a: an earlier event (the first touch moves to it), another on a day already active (no new day), a new
        // day with a redemption. The default tenant's a is not in the batch and keeps its row.
        await RunAsync("ingest", TestFiles.Csv([tenants,
            "2025-03-01 09:00:00,a,share,,,android,ads,MY,acme",
            "2025-03-02 13:00:00,a,share,,,ios,organic,SG,acme",
            "2025-03-03 08:00:00,a,miles_redeemed,,30,ios,organic,SG,acme"]));
        Assert.Contains("incremental by key", await RunAsync("materialize", "+dim_users"));
        // The same first time again, loaded later: the stored first touch (loaded earlier) stays.
        await RunAsync("ingest", TestFiles.Csv([tenants, "2025-03-01 09:00:00,a,share,,,web,referral,ID,acme"]));
        await RunAsync("materialize", "+dim_users");

        const string query = "select concat_ws('|', tenant_id, first_event_at, last_event_at, first_platform, first_utm_source, first_country, total_events, "
                             + "active_days, miles_earned, miles_redeemed, miles_balance) from core.dim_users order by tenant_id";
        var merged = (await _db.RowsAsync(query)).Select(r => (string)r[0]!).ToList();
        Assert.Equal(["acme|2025-03-01 09:00:00+00|2025-03-03 08:00:00+00|android|ads|MY|6|3|100|30|70", "default|2025-03-05 12:00:00+00|2025-03-05 12:00:00+00|web|ads|TH|1|1|0|0|0"],
            merged);

        await RunAsync("materialize", "dim_users", "--full-refresh");
        Assert.Equal(merged, (await _db.RowsAsync(query)).Select(r => (string)r[0]!));

        // The merge starts from the stored row, not from the user's history: a stored count it did not write shows through.
        await _db.ExecuteAsync("update core.dim_users set total_events = 100 where tenant_id = 'acme'");
        await RunAsync("ingest", TestFiles.Csv([tenants, "2025-03-04 09:00:00,a,share,,,ios,organic,SG,acme"]));
        await RunAsync("materialize", "+dim_users");
        Assert.Equal(101L, await _db.ScalarAsync<long>("select total_events::bigint from core.dim_users where tenant_id = 'acme'"));
    }

    [Fact]
    public async Task A_late_first_event_moves_a_users_cohort_and_first_touch_in_every_later_period_of_cohort_activity()
    {
        // a: weeks of 03-10 and 03-17; b: weeks of 03-03 and 03-17; both on ios, so in one first-touch triple.
        await RunAsync("ingest", Load(Event("2025-03-12 10:00:00", "a"), Event("2025-03-20 10:00:00", "a"),
            Event("2025-03-03 10:00:00", "b"), Event("2025-03-18 10:00:00", "b")));
        await RunAsync("materialize", "+cohort_activity");

        // Late for a, and earlier than a's first event: a's cohort becomes the week of 03-03 and a's first platform
        // android, in every period a was active. c arrives new in the week of 03-24.
        await RunAsync("ingest", Load("2025-03-04 10:00:00,a,share,,,android,organic,SG", Event("2025-03-24 10:00:00", "c")));
        var run = await RunAsync("materialize", "+cohort_activity");
        Assert.Contains("incremental: ", run);

        const string query = """
            select concat_ws('|', grain, period_start, case grain when 'week' then date '1970-01-05' + 7 * cohort_index
                                                             else (date '1970-01-01' + cohort_index * interval '1 month')::date end,
                             first_platform, users)
            from core.cohort_activity order by 1
            """;
        var rows = (await _db.RowsAsync(query)).Select(r => (string)r[0]!).ToList();
        Assert.Equal([
            "month|2025-03-01|2025-03-01|android|1",
            "month|2025-03-01|2025-03-01|ios|2",
            "week|2025-03-03|2025-03-03|android|1",
            "week|2025-03-03|2025-03-03|ios|1",
            "week|2025-03-10|2025-03-03|android|1",
            "week|2025-03-17|2025-03-03|android|1",
            "week|2025-03-17|2025-03-03|ios|1",
            "week|2025-03-24|2025-03-24|ios|1",
        ], rows);
        // Every period from the earliest re-opened one (March) on was rebuilt, the ones after it as following.
        Assert.Contains(await PartitionsAsync("cohort_activity"), p => (string)p[0]! == "2025-03-17" && (string)p[1]! == "following");

        // b in the week of 03-24: March re-opens, but only that week is read again; March's earlier weeks are kept.
        await RunAsync("ingest", Load(Event("2025-03-26 10:00:00", "b")));
        await RunAsync("materialize", "+cohort_activity");
        rows.Insert(7, "week|2025-03-24|2025-03-03|ios|1");
        Assert.Equal(rows, (await _db.RowsAsync(query)).Select(r => (string)r[0]!));

        await RunAsync("materialize", "cohort_activity", "--full-refresh");
        Assert.Equal(rows, (await _db.RowsAsync(query)).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task Negative_miles_continue_from_the_stored_row_and_recompute_only_where_it_cannot_tell()
    {
        static string Miles(string time, string user, string type, int amount) => $"{time},{user},miles_{type},,{amount},ios,organic,SG";
        await RunAsync("ingest", Load(
            // a: -20 at 03-02 (first and lowest), then 30. b: never below zero. c: -5 on 03-01, 5 on 03-05.
            Miles("2025-03-01 10:00:00", "a", "earned", 10), Miles("2025-03-02 10:00:00", "a", "redeemed", 30), Miles("2025-03-03 10:00:00", "a", "earned", 50),
            Miles("2025-03-01 10:00:00", "b", "earned", 100),
            Miles("2025-03-01 10:00:00", "c", "redeemed", 5), Miles("2025-03-05 10:00:00", "c", "earned", 10),
            // d: -20 first on 03-04 10:00, back to 0 at 12:00. e: -10, nothing else.
            Miles("2025-03-04 10:00:00", "d", "redeemed", 20), Miles("2025-03-04 12:00:00", "d", "earned", 20),
            Miles("2025-03-01 10:00:00", "e", "redeemed", 10),
            // f: -10 first on 03-01, 0, then its lowest, -20, on 03-04 12:00, and 0. g: -10 first on 03-06 10:00.
            Miles("2025-03-01 10:00:00", "f", "redeemed", 10), Miles("2025-03-02 10:00:00", "f", "earned", 10),
            Miles("2025-03-04 12:00:00", "f", "redeemed", 20), Miles("2025-03-05 10:00:00", "f", "earned", 20),
            Miles("2025-03-06 10:00:00", "g", "redeemed", 10)));
        await RunAsync("materialize", "+users_with_negative_miles");

        await RunAsync("ingest", Load(
            Miles("2025-03-06 10:00:00", "a", "redeemed", 100),             // after the rest: -70
            Miles("2025-03-06 10:00:00", "b", "redeemed", 150),             // b's first time below zero: -50
            Miles("2025-03-04 10:00:00", "c", "earned", 10),                // late, before c's 03-05: the lowest stays -5 from before
            Miles("2025-03-04 09:00:00", "d", "earned", 30),                // late, before d's -20: d never goes below zero
            Event("2025-03-06 11:00:00", "e"),                              // not miles: e keeps its row
            Miles("2025-03-04 11:00:00", "f", "earned", 15),                // lifts f's lowest since 03-04 to -5: the one before (-10) is recomputed
            Miles("2025-03-06 10:00:00", "g", "earned", 10)));              // same time, earned runs first: g never goes below zero
        Assert.Contains("incremental by key", await RunAsync("materialize", "+users_with_negative_miles"));

        const string query = "select concat_ws('|', user_id, first_negative_at, min_balance, final_balance) from marts.users_with_negative_miles order by user_id";
        await AssertBuiltAsAFullRefreshWouldAsync("users_with_negative_miles", query, [
            "a|2025-03-02 10:00:00+00|-70|-70",
            "b|2025-03-06 10:00:00+00|-50|-50",
            "c|2025-03-01 10:00:00+00|-5|15",
            "e|2025-03-01 10:00:00+00|-10|-10",
            "f|2025-03-01 10:00:00+00|-10|15",
        ]);
    }

    [Fact]
    public async Task A_longest_streak_is_the_stored_one_or_one_near_the_changes_and_a_user_active_all_the_month_before_is_read_whole()
    {
        static string Day(string date, string user) => Event($"{date} 10:00:00", user);
        var bEveryDay = Enumerable.Range(0, 37).Select(i => Day(new DateOnly(2025, 2, 1).AddDays(i).ToString("yyyy-MM-dd"), "b"));
        await RunAsync("ingest", TestFiles.Csv([Header + ",tenant_id",
            // a: 03-01..03 (3 days), 03-10..11; a of acme: 03-01. b: every day 02-01..03-09 (37). c: 03-05..06.
            .. new[] { "2025-03-01", "2025-03-02", "2025-03-03", "2025-03-10", "2025-03-11" }.Select(d => Day(d, "a") + ",default"),
            Day("2025-03-01", "a") + ",acme",
            .. bEveryDay.Select(e => e + ",default"),
            Day("2025-03-05", "c") + ",default", Day("2025-03-06", "c") + ",default"]));
        await RunAsync("materialize", "+retention_quality_framework");

        // The earliest changed day is 03-07 (c's). a: 03-12..13 make 03-10..13 its longest (4); b: 03-10, and b was
        // active on all 31 days before 03-07, so its streak (38, from 02-01) is read from all its days; c: 03-07
        // joins its 03-05..06; d is new.
        await RunAsync("ingest", Load(Day("2025-03-12", "a"), Day("2025-03-13", "a"), Day("2025-03-10", "b"), Day("2025-03-07", "c"), Day("2025-03-08", "d")));
        Assert.Contains("incremental by key", await RunAsync("materialize", "+retention_quality_framework"));

        const string query = "select concat_ws('|', tenant_id, user_id, first_active_date, last_active_date, active_days, longest_streak_days) "
                             + "from marts.retention_quality_framework order by tenant_id, user_id";
        await AssertBuiltAsAFullRefreshWouldAsync("retention_quality_framework", query, [
            "acme|a|2025-03-01|2025-03-01|1|1",
            "default|a|2025-03-01|2025-03-13|7|4",
            "default|b|2025-02-01|2025-03-10|38|38",
            "default|c|2025-03-05|2025-03-07|3|3",
            "default|d|2025-03-08|2025-03-08|1|1",
        ]);
    }

    [Fact]
    public async Task Returns_before_the_earliest_change_stand_and_the_ones_after_are_found_again()
    {
        static string Day(string date, string user, string tenant = "default") => $"{Event($"{date} 10:00:00", user)},{tenant}";
        await RunAsync("ingest", TestFiles.Csv([Header + ",tenant_id",
            Day("2025-03-01", "a"), Day("2025-03-10", "a"),                           // a returns on 03-10 after 8 days
            Day("2025-02-01", "b"), Day("2025-02-15", "b"), Day("2025-03-01", "b"),  // b returns on 02-15 (13) and 03-01 (13)
            Day("2025-01-01", "c", "acme"), Day("2025-02-01", "c", "acme")]));       // acme's c returns on 02-01 (30)
        await RunAsync("materialize", "+user_resurrection_analysis");

        // The earliest changed day is 03-05 (a's, late): it splits a's absence, so 03-10 is no return; 03-20 is. b's
        // 03-12 is a return after 03-01 (its last day before 03-05, found by a probe). The default tenant's c is new.
        await RunAsync("ingest", TestFiles.Csv([Header + ",tenant_id",
            Day("2025-03-05", "a"), Day("2025-03-20", "a"), Day("2025-03-12", "b"), Day("2025-03-06", "c")]));
        Assert.Contains("incremental by key", await RunAsync("materialize", "+user_resurrection_analysis"));

        const string query = "select concat_ws('|', tenant_id, user_id, previous_active_date, returned_date, dormant_days, dormancy_bucket) "
                             + "from marts.user_resurrection_analysis order by tenant_id, user_id, returned_date";
        await AssertBuiltAsAFullRefreshWouldAsync("user_resurrection_analysis", query, [
            "acme|c|2025-01-01|2025-02-01|30|long",
            "default|a|2025-03-10|2025-03-20|9|short",
            "default|b|2025-02-01|2025-02-15|13|short",
            "default|b|2025-02-15|2025-03-01|13|short",
            "default|b|2025-03-01|2025-03-12|10|short",
        ]);
    }

    [Fact]
    public async Task A_source_is_counted_and_checked_only_in_a_run_after_a_load()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-02 10:00:00", "b")));
        Assert.Matches(@"ok +raw_events +2 rows .*checks", await RunAsync("materialize", "raw_events"));

        var idle = await RunAsync("materialize", "raw_events");
        Assert.Matches(@"ok +raw_events +0 rows", idle);
        Assert.Contains("up to date: no new loads", idle);

        await RunAsync("ingest", Load(Event("2025-03-03 10:00:00", "c")));
        Assert.Matches(@"ok +raw_events +3 rows .*checks", await RunAsync("materialize", "raw_events"));
        // A full refresh observes it whatever the run store says, and a forgotten size (an erasure's) is counted again.
        Assert.Matches(@"ok +raw_events +3 rows", await RunAsync("materialize", "raw_events", "--full-refresh"));
        await _db.ExecuteAsync("update runstore.incremental_state set table_rows = null where asset_key = 'raw_events'");
        Assert.Matches(@"ok +raw_events +3 rows", await RunAsync("materialize", "raw_events"));
    }

    [Fact]
    public async Task A_source_that_only_appends_is_sized_by_the_rows_its_loads_added_and_a_full_refresh_counts_it()
    {
        await RunAsync("ingest", Load(Event("2025-03-01 10:00:00", "a"), Event("2025-03-02 10:00:00", "b")));
        Assert.Matches(@"ok +raw_events +2 rows", await RunAsync("materialize", "raw_events"));

        // A row taken out behind the engine's back (not by an erasure, which forgets the size): the next observation
        // adds the new load's one row to the size it recorded, as the manifest says; it does not count the table.
        await _db.ExecuteAsync("delete from raw.raw_events where user_id = 'b'");
        await RunAsync("ingest", Load(Event("2025-03-03 10:00:00", "c")));
        Assert.Matches(@"ok +raw_events +3 rows", await RunAsync("materialize", "raw_events"));
        Assert.Matches(@"ok +raw_events +2 rows", await RunAsync("materialize", "raw_events", "--full-refresh"));
    }

    [Fact]
    public async Task Observing_a_source_after_a_load_summarizes_its_load_index_so_the_new_rows_are_read_from_their_own_pages()
    {
        // A history of about five BRIN ranges (128 pages each), then a load of a few pages: a range left without a
        // summary matches every search, so without the observation's summary the read of the new load's rows visits
        // the history's pages too.
        await RunAsync("ingest", DayOfEvents(1, 45_000));
        await RunAsync("materialize", "raw_events");
        await RunAsync("ingest", DayOfEvents(2, 1_000));
        await RunAsync("materialize", "raw_events");

        var pages = await _db.ScalarAsync<long>("select pg_relation_size('raw.raw_events') / current_setting('block_size')::int");
        var plan = await _db.ScalarAsync<string>(
            "explain (analyze, format json) select count(*) from raw.raw_events where file_id = (select max(file_id) from raw.raw_events)");
        var visited = System.Text.RegularExpressions.Regex.Matches(plan, "\"(?:Exact|Lossy) Heap Blocks\": (\\d+)").Sum(m => long.Parse(m.Groups[1].Value));
        Assert.True(pages > 500, $"the history takes {pages} pages");
        Assert.InRange(visited, 1, 2 * 128);
        Assert.Equal(0, await _db.ScalarAsync<int>("select brin_summarize_new_values('raw.raw_events_file_id')"));
    }

    [Fact]
    public async Task A_load_of_under_a_tenth_of_a_source_refreshes_the_statistics_of_its_load_column_only()
    {
        async Task LoadAndObserveAsync(string csv)
        {
            await RunAsync("ingest", csv);
            // The ingest's pooled connection reports its writes when it closes (or some seconds after going idle).
            NpgsqlConnection.ClearAllPools();
            await RunAsync("materialize", "raw_events");
        }

        Task<long> WrittenSinceAnalyzedAsync() =>
            _db.ScalarAsync<long>("select n_mod_since_analyze from pg_stat_user_tables where relid = 'raw.raw_events'::regclass");
        Task<string> LoadIdsSeenAsync() =>
            _db.ScalarAsync<string>("select most_common_vals::text from pg_stats where schemaname = 'raw' and tablename = 'raw_events' and attname = 'file_id'");

        await LoadAndObserveAsync(DayOfEvents(1, 100));
        Assert.Equal(0, await WrittenSinceAnalyzedAsync());

        // Five rows: the load ids are sampled again (the planner must see the new load), the other columns are not.
        await LoadAndObserveAsync(DayOfEvents(2, 5));
        Assert.Equal(5, await WrittenSinceAnalyzedAsync());
        Assert.Equal(2, (await LoadIdsSeenAsync()).Split(',').Length);

        // Fifty more: over a tenth of the table since the last whole analyze, so every column is sampled again.
        await LoadAndObserveAsync(DayOfEvents(3, 50));
        Assert.Equal(0, await WrittenSinceAnalyzedAsync());
    }

    [Fact]
    public async Task A_table_that_reads_the_clock_is_built_every_run()
    {
        var assets = TestFiles.Assets(new()
        {
            ["marts/steady_t.sql"] = "select 1 as x",
            ["marts/clocked_t.sql"] = "select current_timestamp as built_at",
        });
        await RunAsync(Settings(assets), "materialize", "*");

        var again = await RunAsync(Settings(assets), "materialize", "*");

        Assert.Matches("ok +steady_t +0 rows", again);
        Assert.Matches("ok +clocked_t +1 rows", again);
    }

    [Fact]
    public async Task An_up_to_date_run_keeps_a_table_fresh_for_its_max_age()
    {
        var assets = TestFiles.Assets(new() { ["marts/fresh_t.sql"] = "/*\nfreshness: {max_age: 30m}\n*/\nselect 1 as x" });
        await RunAsync(Settings(assets), "materialize", "*");
        await _db.ExecuteAsync("update runstore.materializations set materialized_at = now() - interval '2 hours' where asset_key = 'fresh_t'");
        await _db.ExecuteAsync("update runstore.steps set finished_at = now() - interval '2 hours' where asset_key = 'fresh_t'");
        var statuses = await new Analytics.RunStore.RunStoreQueries(_db.DataSource).AssetStatusesAsync();
        var project = Analytics.Core.Assets.AssetProject.Load(assets);
        Assert.NotNull(Analytics.RunStore.AssetFreshness.PastMaxAge(project.Graph["fresh_t"], statuses["fresh_t"], DateTimeOffset.UtcNow));

        Assert.Contains("up to date", await RunAsync(Settings(assets), "materialize", "*"));

        statuses = await new Analytics.RunStore.RunStoreQueries(_db.DataSource).AssetStatusesAsync();
        Assert.Null(Analytics.RunStore.AssetFreshness.PastMaxAge(project.Graph["fresh_t"], statuses["fresh_t"], DateTimeOffset.UtcNow));
    }

    /// <summary>The shipped assets and one more mart, <paramref name="key"/>, in a folder of their own.</summary>
    private static string AssetsWith(string key, string sql)
    {
        var assets = Path.Combine(TestFiles.Folder(), "assets-sql");
        CopyFolder(TestFiles.RepositoryAssets, assets);
        File.WriteAllText(Path.Combine(assets, "marts", key + ".sql"), sql);
        return assets;
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
