using Analytics.Core.Execution;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// The snapshot materialization on hand-computed cases, each asserting every version (see <see cref="SnapshotHarness"/>
/// for the notation: minutes after midnight, "now" while open).
/// </summary>
public sealed class SnapshotTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static string Timestamp(string hardDeletes = "ignore") =>
        $"materialization: snapshot\nunique_key: user_id\nstrategy: timestamp\nupdated_at: updated_at\nhard_deletes: {hardDeletes}";

    private const string Check = "materialization: snapshot\nunique_key: user_id\nstrategy: check\ncheck_cols: [tier, country]";

    private async Task<SnapshotHarness> HarnessAsync(string header)
    {
        var harness = new SnapshotHarness(db, header);
        await harness.CreateSourceAsync();
        return harness;
    }

    private static void Succeeded(RunResult run) =>
        Assert.True(run.Succeeded, string.Join("\n", run.Steps.Select(s => $"{s.AssetKey}: {s.Error}")));

    [Fact]
    public async Task A_change_within_one_second_of_the_previous_is_its_own_version()
    {
        var h = await HarnessAsync(Timestamp());
        await h.SetAsync(("u1", "basic", "TH", 600));
        Succeeded(await h.RunAtAsync(601));
        await h.SetAsync(("u1", "gold", "TH", 600 + 0.25 / 60)); // 250 ms later
        Succeeded(await h.RunAtAsync(602));

        Assert.Equal(["u1 basic TH 600..600.004167", "u1 gold TH 600.004167..now current"], await h.VersionsAsync());
        Assert.Equal(250_000L, await db.ScalarAsync<long>(
            $"select (extract(epoch from valid_to - valid_from) * 1000000)::bigint from {h.Layer}.snap where not is_current"));
    }

    [Fact]
    public async Task A_change_and_its_reversal_are_three_versions()
    {
        var h = await HarnessAsync(Timestamp());
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u1", "gold", "TH", 120));
        Succeeded(await h.RunAtAsync(121));
        await h.SetAsync(("u1", "basic", "TH", 180));
        Succeeded(await h.RunAtAsync(181));

        Assert.Equal(["u1 basic TH 60..120", "u1 gold TH 120..180", "u1 basic TH 180..now current"], await h.VersionsAsync());
    }

    [Theory]
    [InlineData("ignore", new[] { "u1 basic TH 60..now current" })]
    [InlineData("invalidate", new[] { "u1 basic TH 60..120", "u1 basic TH 180..now current" })]
    [InlineData("new_record", new[] { "u1 basic TH 60..120", "u1 basic TH 120..180 deleted", "u1 basic TH 180..now current" })]
    public async Task A_delete_and_a_reappearance_follow_the_hard_delete_rule(string rule, string[] expected)
    {
        var h = await HarnessAsync(Timestamp(rule));
        await h.SetAsync(("u1", "basic", "TH", 60), ("u2", "gold", "SG", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u2", "gold", "SG", 60));
        Succeeded(await h.RunAtAsync(120)); // u1 gone
        // u1 restored as it was: its updated_at (60) is before its history ended, so its version starts at the run.
        await h.SetAsync(("u1", "basic", "TH", 60), ("u2", "gold", "SG", 60));
        Succeeded(await h.RunAtAsync(180));
        Succeeded(await h.RunAtAsync(240)); // and nothing more

        Assert.Equal([.. expected, "u2 gold SG 60..now current"], await h.VersionsAsync());
    }

    [Fact]
    public async Task A_key_that_comes_back_changed_starts_at_its_updated_at_when_that_is_after_its_delete()
    {
        var h = await HarnessAsync(Timestamp("new_record"));
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync();
        Succeeded(await h.RunAtAsync(120));
        await h.SetAsync(("u1", "platinum", "TH", 150));
        Succeeded(await h.RunAtAsync(180));

        Assert.Equal(["u1 basic TH 60..120", "u1 basic TH 120..150 deleted", "u1 platinum TH 150..now current"], await h.VersionsAsync());
    }

    [Fact]
    public async Task An_updated_at_that_goes_backwards_is_no_change_even_when_the_values_differ()
    {
        var h = await HarnessAsync(Timestamp());
        await h.SetAsync(("u1", "gold", "TH", 120));
        Succeeded(await h.RunAtAsync(121));
        await h.SetAsync(("u1", "silver", "TH", 90)); // restored from an older copy
        var run = await h.RunAtAsync(122);
        Succeeded(run);
        await h.SetAsync(("u1", "silver", "TH", 120)); // the same time again: no change either
        Succeeded(await h.RunAtAsync(123));

        Assert.Equal(["u1 gold TH 120..now current"], await h.VersionsAsync());
        Assert.Equal(0L, run["snap"].Rows);
    }

    [Fact]
    public async Task Of_two_changes_between_runs_only_the_last_is_seen()
    {
        var h = await HarnessAsync(Timestamp());
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u1", "silver", "TH", 70));
        await h.SetAsync(("u1", "gold", "TH", 80));
        Succeeded(await h.RunAtAsync(90));

        Assert.Equal(["u1 basic TH 60..80", "u1 gold TH 80..now current"], await h.VersionsAsync());
    }

    [Fact]
    public async Task A_null_in_a_checked_column_is_a_value_compared_as_any_other()
    {
        var h = await HarnessAsync(Check);
        await h.SetAsync(("u1", "basic", null, double.NaN));
        Succeeded(await h.RunAtAsync(10));
        Succeeded(await h.RunAtAsync(20)); // null = null: no change
        await h.SetAsync(("u1", "basic", "TH", double.NaN));
        Succeeded(await h.RunAtAsync(30));
        await h.SetAsync(("u1", "basic", null, double.NaN));
        Succeeded(await h.RunAtAsync(40));

        Assert.Equal(["u1 basic null 10..30", "u1 basic TH 30..40", "u1 basic null 40..now current"], await h.VersionsAsync());
    }

    [Fact]
    public async Task A_key_change_closes_the_old_key_and_opens_the_new_one()
    {
        var h = await HarnessAsync(Timestamp("invalidate"));
        await h.SetAsync(("u1", "gold", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u9", "gold", "TH", 100)); // the app renamed the user
        Succeeded(await h.RunAtAsync(120));

        Assert.Equal(["u1 gold TH 60..120", "u9 gold TH 100..now current"], await h.VersionsAsync());
    }

    [Fact]
    public async Task Running_twice_with_no_change_adds_nothing()
    {
        var h = await HarnessAsync(Timestamp("new_record"));
        await h.SetAsync(("u1", "basic", "TH", 60), ("u2", "gold", "SG", 30));
        Succeeded(await h.RunAtAsync(61));
        var before = await db.RowsAsync($"select * from {h.Layer}.snap order by user_id, valid_from");
        var again = await h.RunAtAsync(62);

        Succeeded(again);
        Assert.Equal(0L, again["snap"].Rows);
        Assert.Equal(2L, again["snap"].TableRows);
        Assert.Equal(before.Select(r => string.Join("|", r)), (await db.RowsAsync($"select * from {h.Layer}.snap order by user_id, valid_from")).Select(r => string.Join("|", r)));
    }

    [Fact]
    public async Task A_source_with_a_repeated_or_null_key_is_refused_whole_and_the_history_stays()
    {
        var h = await HarnessAsync(Timestamp());
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u1", "gold", "TH", 90), ("u1", "silver", "TH", 95), ("u2", "basic", "SG", 90));

        var run = await h.RunAtAsync(100);

        Assert.Equal(StepStatus.Failed, run["snap"].Status);
        Assert.Contains($"{h.Layer}/snap.sql", run["snap"].Error);
        Assert.Contains("1 row(s) with a unique_key (user_id) on more than one row (e.g. u1)", run["snap"].Error);
        Assert.Contains("Fix the SELECT", run["snap"].Error);
        Assert.Equal(["u1 basic TH 60..now current"], await h.VersionsAsync());

        await h.SetAsync(("u1", "gold", "TH", double.NaN));
        var nulls = await h.RunAtAsync(110);
        Assert.Contains("1 row(s) with a null updated_at (updated_at) (e.g. u1)", nulls["snap"].Error);
        Assert.Equal(["u1 basic TH 60..now current"], await h.VersionsAsync());
    }

    [Fact]
    public async Task A_run_that_fails_after_closing_versions_leaves_the_history_as_it_was()
    {
        var h = await HarnessAsync(Timestamp("invalidate"));
        await h.SetAsync(("u1", "basic", "TH", 60), ("u2", "gold", "SG", 60));
        Succeeded(await h.RunAtAsync(61));
        // The inserts fail on u1's new version, after the update closing u1's and u2's current versions has run.
        await db.ExecuteAsync($"""
            create function {h.Layer}.refuse() returns trigger language plpgsql as
            $$ begin if new.tier = 'platinum' then raise exception 'refused'; end if; return new; end $$;
            create trigger refuse before insert on {h.Layer}.snap for each row execute function {h.Layer}.refuse();
            """);
        await h.SetAsync(("u1", "platinum", "TH", 90));

        var run = await h.RunAtAsync(100);

        Assert.Equal(StepStatus.Failed, run["snap"].Status);
        Assert.Contains("refused", run["snap"].Error);
        Assert.Equal(["u1 basic TH 60..now current", "u2 gold SG 60..now current"], await h.VersionsAsync());
    }

    [Fact]
    public async Task A_full_refresh_keeps_the_history_and_says_what_a_rebuild_would_lose_and_only_the_explicit_flag_rebuilds()
    {
        var h = await HarnessAsync(Timestamp());
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u1", "gold", "TH", 90));

        var refreshed = await h.RunAtAsync(100, o => o.FullRefresh = true);

        Succeeded(refreshed);
        Assert.Equal(["u1 basic TH 60..90", "u1 gold TH 90..now current"], await h.VersionsAsync());
        var said = refreshed["snap"].Incremental!.Describe();
        Assert.Contains("a full refresh does not rebuild a snapshot, since the 1 version(s) it held cannot be recomputed", said);
        Assert.Contains("--rebuild-snapshots", said);

        var rebuilt = await h.RunAtAsync(110, o => o.RebuildSnapshots = true);
        Succeeded(rebuilt);
        Assert.Equal(["u1 gold TH 90..now current"], await h.VersionsAsync());
        Assert.Contains("history dropped and started over", rebuilt["snap"].Incremental!.Describe());
    }

    [Fact]
    public async Task A_changed_select_keeps_the_history_and_says_so()
    {
        var h = await HarnessAsync(Check);
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        Assert.Equal("snapshot: 0 version(s) added, 1 in the history", (await h.RunAtAsync(62))["snap"].Incremental!.Describe());

        var changed = await h.RunAtAsync(70, select: "select user_id, upper(tier) as tier, country, updated_at from {0}");

        Succeeded(changed);
        Assert.Contains("its SELECT changed since the last run, and the 1 version(s) before were kept, not rebuilt", changed["snap"].Incremental!.Describe());
        Assert.Equal(["u1 basic TH 61..70", "u1 BASIC TH 70..now current"], await h.VersionsAsync());
        Assert.DoesNotContain("changed", (await h.RunAtAsync(80, select: "select user_id, upper(tier) as tier, country, updated_at from {0}"))["snap"].Incremental!.Describe());
    }

    [Fact]
    public async Task A_column_the_source_gains_is_added_and_null_in_the_versions_before_it()
    {
        var h = await HarnessAsync(Check);
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u1", "gold", "TH", 60));
        Succeeded(await h.RunAtAsync(70, select: "select *, 'web' as channel from {0}"));

        Assert.Equal([null, "web"], (await db.RowsAsync($"select channel from {h.Layer}.snap order by valid_from")).Select(r => r[0] as string));
    }

    [Fact]
    public async Task The_shipped_checks_catch_a_history_that_is_not_one()
    {
        var h = await HarnessAsync(Timestamp());
        await h.SetAsync(("u1", "basic", "TH", 60), ("u2", "gold", "SG", 60));
        var clean = await h.RunAtAsync(61);
        Assert.All(clean["snap"].Checks, c => Assert.True(c.Passed, c.Name));
        Assert.Equal(["snap__one_current_version_per_key", "snap__no_overlapping_versions", "snap__valid_from_before_valid_to"],
            clean["snap"].Checks.Select(c => c.Name));

        // Damage it as a buggy hand edit would: a second current version of u1 overlapping the first, and a backwards interval for u3.
        await db.ExecuteAsync($"insert into {h.Layer}.snap select user_id, tier, country, updated_at, valid_from + interval '1 minute', null, true, false, 'x', 0, null from {h.Layer}.snap where user_id = 'u1'");
        await db.ExecuteAsync($"insert into {h.Layer}.snap select 'u3', tier, country, updated_at, valid_from, valid_from - interval '1 minute', false, false, 'y', 0, 0 from {h.Layer}.snap where user_id = 'u2'");
        var run = await h.RunAtAsync(62);

        Assert.Equal(StepStatus.CheckFailed, run["snap"].Status);
        Assert.Equal([1L, 1L, 1L], run["snap"].Checks.Select(c => c.FailingRows));
    }

    [Fact]
    public async Task A_point_in_time_join_finds_the_version_valid_at_each_time_and_unknown_outside_them()
    {
        var h = await HarnessAsync(Timestamp("invalidate"));
        await h.SetAsync(("u1", "basic", "TH", 60));
        Succeeded(await h.RunAtAsync(61));
        await h.SetAsync(("u1", "gold", "TH", 120));
        Succeeded(await h.RunAtAsync(121));
        await h.SetAsync();
        Succeeded(await h.RunAtAsync(200)); // u1 deleted: closed at 200

        var day = "timestamptz '2025-01-01 00:00:00+00'";
        var run = await h.RunAtAsync(201, more: ("facts",
            "select f.minute, coalesce(u.tier, 'unknown') as tier from "
            + $"(select m as minute, {day} + make_interval(mins => m) as at from unnest(array[30, 60, 119, 120, 199, 200, 300]) as m) as f "
            + "left join {{ ref('snap') }} as u on u.user_id = 'u1' and {{ valid_at(u, f.at) }}"));
        Succeeded(run);

        var tiers = await db.RowsAsync($"select minute, tier from {h.Layer}.facts order by minute");
        Assert.Equal(["30 unknown", "60 basic", "119 basic", "120 gold", "199 gold", "200 unknown", "300 unknown"],
            tiers.Select(r => $"{r[0]} {r[1]}"));
    }
}
