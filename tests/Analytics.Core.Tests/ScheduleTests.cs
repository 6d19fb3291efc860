using Analytics.Core.Assets;
using Analytics.Core.Scheduling;
using Analytics.Testing;

namespace Analytics.Core.Tests;

/// <summary>Schedules from schedules.yml: cron in a time zone through DST, and what happens to ticks missed during downtime.</summary>
public class ScheduleTests
{
    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void The_shipped_schedules_load()
    {
        var schedules = ScheduleFile.Load(TestFiles.RepositoryAssets);

        Assert.Equal(["every_10_minutes", "daily_report", "appdb_every_minute"], schedules.Select(s => s.Name));
        var daily = schedules[1];
        Assert.Equal("layer:marts", daily.Selection);
        // 10:00 in Singapore (UTC+8, no DST) is 02:00 UTC.
        Assert.Equal(Utc("2026-11-24T02:00:00"), daily.NextAfter(Utc("2026-11-23T12:00:00")));
    }

    [Fact]
    public void Every_ten_minutes_ticks_at_each_tenth_minute()
    {
        var schedule = new Schedule("s", "*/10 * * * *", "UTC", "*");

        var ticks = schedule.DueTicks(Utc("2026-11-23T10:00:00"), Utc("2026-11-23T10:35:00"));

        // Downtime of three ticks: the two older are skipped with a reason, the latest runs.
        Assert.Equal([Utc("2026-11-23T10:10:00"), Utc("2026-11-23T10:20:00"), Utc("2026-11-23T10:30:00")], ticks.Select(t => t.ScheduledAt));
        Assert.Equal([false, false, true], ticks.Select(t => t.Run));
        Assert.All(ticks.Take(2), t => Assert.Contains("only the latest tick runs", t.SkipReason));
    }

    [Fact]
    public void Catch_up_all_runs_every_missed_tick_and_none_only_an_on_time_one()
    {
        var all = new Schedule("s", "*/10 * * * *", "UTC", "*", CatchUp.All).DueTicks(Utc("2026-11-23T10:00:00"), Utc("2026-11-23T10:30:30"));
        var none = new Schedule("s", "*/10 * * * *", "UTC", "*", CatchUp.None).DueTicks(Utc("2026-11-23T10:00:00"), Utc("2026-11-23T10:30:30"));
        var late = new Schedule("s", "*/10 * * * *", "UTC", "*", CatchUp.None).DueTicks(Utc("2026-11-23T10:00:00"), Utc("2026-11-23T10:35:00"));

        Assert.Equal([true, true, true], all.Select(t => t.Run));
        Assert.Equal([false, false, true], none.Select(t => t.Run)); // 10:30 is 30 s late: on time
        Assert.Equal([false, false, false], late.Select(t => t.Run)); // 10:30 is 5 min late: missed too
    }

    [Fact]
    public void Berlin_spring_forward_fires_the_skipped_hour_once_and_fall_back_fires_the_repeated_hour_once()
    {
        var schedule = new Schedule("s", "30 2 * * *", "Europe/Berlin", "*");

        // 2026-03-29 02:30 does not exist in Berlin (clocks jump 02:00 -> 03:00 CEST): it fires at the jump, 01:00 UTC.
        Assert.Equal(Utc("2026-03-29T01:00:00"), schedule.NextAfter(Utc("2026-03-28T12:00:00")));
        // 2026-10-25 02:30 happens twice (CEST then CET): it fires once, at the first, 00:30 UTC.
        var october = new Schedule("s", "30 2 * * *", "Europe/Berlin", "*", CatchUp.All).DueTicks(Utc("2026-10-24T12:00:00"), Utc("2026-10-25T12:00:00"));
        Assert.Equal([Utc("2026-10-25T00:30:00")], october.Select(t => t.ScheduledAt));
    }

    [Fact]
    public void Singapore_has_no_transition_and_fires_every_day_at_the_same_utc_time()
    {
        var ticks = new Schedule("s", "0 10 * * *", "Asia/Singapore", "*", CatchUp.All).DueTicks(Utc("2026-03-27T00:00:00"), Utc("2026-03-31T00:00:00"));

        Assert.Equal(4, ticks.Count);
        Assert.All(ticks, t => Assert.Equal(new TimeSpan(2, 0, 0), t.ScheduledAt.TimeOfDay));
    }

    [Theory]
    [InlineData("schedules:\n  - name: a\n    cron: \"61 * * * *\"\n    selection: \"*\"", "is not a 5-field cron expression")]
    [InlineData("schedules:\n  - name: a\n    cron: \"* * * * *\"\n    timezone: Mars/Olympus\n    selection: \"*\"", "time zone 'Mars/Olympus' is unknown")]
    [InlineData("schedules:\n  - name: a\n    cron: \"* * * * *\"", "has no selection")]
    [InlineData("schedules:\n  - cron: \"* * * * *\"", "schedule #1 has no name")]
    [InlineData("schedules:\n  - {name: a, cron: \"* * * * *\", selection: x}\n  - {name: a, cron: \"* * * * *\", selection: x}", "declared twice")]
    [InlineData("schedules:\n  - {name: a, cron: \"* * * * *\", selection: x, catch_up: sometimes}", "catch_up 'sometimes' is unknown")]
    [InlineData("schedules: [unclosed", "does not parse")]
    [InlineData("jobs: []", "expected 'schedules:'")]
    public void A_bad_schedule_file_names_the_file_the_schedule_and_the_fix(string text, string problem)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => ScheduleFile.Parse("assets-sql/schedules.yml", text));
        Assert.StartsWith("assets-sql/schedules.yml", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void A_schedule_file_with_too_many_schedules_is_refused()
    {
        var text = "schedules:\n" + string.Concat(Enumerable.Range(0, ScheduleFile.MaxSchedules + 1)
            .Select(i => $"  - {{name: s{i}, cron: \"* * * * *\", selection: \"*\"}}\n"));

        Assert.Contains($"at most {ScheduleFile.MaxSchedules}", Assert.Throws<AssetDeclarationException>(() => ScheduleFile.Parse("schedules.yml", text)).Message);
    }
}
