using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>
/// Two worker processes firing the same 1-minute schedule against one real run store, on the real clock: every tick
/// becomes exactly one run. (The catch-up policy and pauses are proved on an injected clock in ScheduleEvaluatorTests.)
/// </summary>
public sealed class ScheduledWorkersTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Two_worker_processes_turn_each_tick_of_a_one_minute_cron_into_exactly_one_run()
    {
        var assets = TestFiles.Assets(new()
        {
            ["demo/minutely.sql"] = "select 1 as x",
            ["schedules.yml"] = "schedules:\n  - {name: every_minute, cron: \"* * * * *\", selection: \"*\"}",
        });
        var environment = new Dictionary<string, string>
        {
            ["Analytics__Worker__Schedules"] = "true",
            ["Analytics__Worker__ScheduleInterval"] = "00:00:00.250",
        };
        using var first = new WorkerProcess(db.ConnectionString, assets, environment);
        using var second = new WorkerProcess(db.ConnectionString, assets, environment);
        await Task.WhenAll(first.ReadyAsync(), second.ReadyAsync());

        // The first tick is the latest minute boundary (on time within a minute), the second the next one: wait for
        // both runs to finish (at most ~70 s).
        var deadline = DateTime.UtcNow.AddSeconds(150);
        while (await db.ScalarAsync<long>("""
                   select count(*) from runstore.schedule_ticks t join runstore.runs r using (run_id)
                   where t.schedule = 'every_minute' and r.status = 'succeeded'
                   """) < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no tick ran in time\n{first.Output}\n{second.Output}");
            await Task.Delay(500);
        }

        Assert.Contains("firing 1 schedule(s)", first.Output);
        Assert.Contains("firing 1 schedule(s)", second.Output);
        var fired = await db.ScalarAsync<long>("select count(*) from runstore.schedule_ticks where schedule = 'every_minute' and status = 'queued'");
        var runs = await db.ScalarAsync<long>("select count(*) from runstore.runs where requested_by = 'schedule:every_minute'");
        var perMinute = await db.ScalarAsync<long>("""
            select coalesce(max(n), 0) from (select count(*) as n from runstore.schedule_ticks where schedule = 'every_minute'
                                             group by date_trunc('minute', scheduled_at)) m
            """);
        Assert.True(fired >= 2);
        Assert.Equal(fired, runs);
        Assert.Equal(1, perMinute);
        // Every fired tick's run was claimed by one of the two workers, and each tick by one of them.
        var claimants = await db.RowsAsync("select distinct claimed_by from runstore.schedule_ticks where schedule = 'every_minute'");
        Assert.All(claimants, c => Assert.Contains((string)c[0]!, new[] { first.Name, second.Name }));
    }
}
