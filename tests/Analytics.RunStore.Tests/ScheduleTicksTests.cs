using Analytics.RunStore;
using Analytics.Testing;

namespace Analytics.RunStore.Tests;

/// <summary>Ticks are claimed once whatever the number of workers; pauses persist in the run store.</summary>
public class ScheduleTicksTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Of_many_workers_claiming_one_tick_exactly_one_wins()
    {
        var at = new DateTimeOffset(2026, 11, 23, 10, 10, 0, TimeSpan.Zero);
        var claims = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            new ScheduleTicks(db.DataSource).TryClaimAsync("every_10_minutes", at, "skipped", "test", null, $"worker-{i}", CancellationToken.None)));

        Assert.Equal(1, claims.Count(c => c));
        Assert.Equal(at, await new ScheduleTicks(db.DataSource).LastTickAsync("every_10_minutes", CancellationToken.None));
        Assert.Null(await new ScheduleTicks(db.DataSource).LastTickAsync("never_ticked", CancellationToken.None));
    }

    [Fact]
    public async Task Pause_and_resume_are_kept_in_the_run_store()
    {
        var ticks = new ScheduleTicks(db.DataSource);
        Assert.False(await ticks.IsPausedAsync("daily_report", CancellationToken.None));

        await ticks.SetPausedAsync("daily_report", true, CancellationToken.None);
        Assert.True(await new ScheduleTicks(db.DataSource).IsPausedAsync("daily_report", CancellationToken.None));
        await ticks.SetPausedAsync("daily_report", false, CancellationToken.None);
        Assert.False(await ticks.IsPausedAsync("daily_report", CancellationToken.None));
    }
}
