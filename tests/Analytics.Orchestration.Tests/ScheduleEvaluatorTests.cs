using Analytics.Core.Assets;
using Analytics.Core.Scheduling;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Orchestration.Tests;

/// <summary>Two workers evaluating one schedule against a real run store, on a clock the test moves.</summary>
public class ScheduleEvaluatorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private ServiceProvider Services(string assets) => TestServices.Create(db.DataSource, assets);

    private static ScheduleEvaluator Evaluator(IServiceProvider services, Schedule schedule, string worker, TimeProvider clock) =>
        new(services.GetRequiredService<AssetProject>(), services.GetRequiredService<ScheduleTicks>(), [schedule], worker, clock, NullLogger.Instance);

    private static DateTimeOffset At(int minute, int second) => new(2026, 11, 23, 10, minute, second, TimeSpan.Zero);

    [Fact]
    public async Task Every_tick_becomes_exactly_one_run_or_one_skip_whatever_the_number_of_workers()
    {
        var services = Services(TestFiles.Assets(new() { ["demo/one.sql"] = "select 1 as x" }));
        var schedule = new Schedule("every_minute", "* * * * *", "UTC", "*");
        var clock = new ManualClock();
        var workers = new[] { "worker-a", "worker-b" }
            .Select(w => Evaluator(services, schedule, w, clock)).ToList();
        async Task<int> EvaluateAllAsync(DateTimeOffset now)
        {
            clock.Now = now;
            var claimed = await Task.WhenAll(workers.Select(w => w.EvaluateAsync(CancellationToken.None)));
            return claimed.Sum(c => c.Count);
        }

        // 10:00 is due and on time: one run, whichever worker claims it.
        Assert.Equal(1, await EvaluateAllAsync(At(0, 10)));
        // 10:01 while that run is still queued: skipped, saying why.
        Assert.Equal(1, await EvaluateAllAsync(At(1, 5)));
        await db.ExecuteAsync("update runstore.runs set status = 'succeeded', finished_at = now() where requested_by = 'schedule:every_minute'");
        // Three minutes of downtime: 10:02 to 10:04 are recorded as missed, 10:05 runs.
        Assert.Equal(4, await EvaluateAllAsync(At(5, 20)));
        // Evaluating again at the same time claims nothing more.
        Assert.Equal(0, await EvaluateAllAsync(At(5, 40)));

        var ticks = await db.RowsAsync("select to_char(scheduled_at at time zone 'UTC', 'HH24:MI'), status, coalesce(reason, '') from runstore.schedule_ticks "
                                       + "where schedule = 'every_minute' order by scheduled_at");
        Assert.Equal(["10:00", "10:01", "10:02", "10:03", "10:04", "10:05"], ticks.Select(t => (string)t[0]!));
        Assert.Equal(["queued", "skipped", "skipped", "skipped", "skipped", "queued"], ticks.Select(t => (string)t[1]!));
        Assert.Contains("previous run of this schedule is still going", (string)ticks[1][2]!);
        Assert.Contains("only the latest tick runs", (string)ticks[2][2]!);
        Assert.Equal(2L, await db.ScalarAsync<long>("select count(*) from runstore.runs where requested_by = 'schedule:every_minute'"));
    }

    [Fact]
    public async Task A_paused_schedule_fires_nothing_until_resumed()
    {
        var services = Services(TestFiles.Assets(new() { ["demo/two.sql"] = "select 2 as x" }));
        var clock = new ManualClock { Now = At(30, 5) };
        var evaluator = Evaluator(services, new Schedule("paused_one", "* * * * *", "UTC", "*"), "worker-a", clock);
        var ticks = new Analytics.RunStore.ScheduleTicks(db.DataSource);

        await ticks.SetPausedAsync("paused_one", true, CancellationToken.None);
        Assert.Empty(await evaluator.EvaluateAsync(CancellationToken.None));
        await ticks.SetPausedAsync("paused_one", false, CancellationToken.None);
        Assert.Single(await evaluator.EvaluateAsync(CancellationToken.None));
    }
}
