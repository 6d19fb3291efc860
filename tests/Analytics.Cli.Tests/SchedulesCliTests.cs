using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Cli.Tests;

/// <summary><c>analytics schedules list | tick NAME</c> against a real run store.</summary>
[Collection(InProcessCli.Collection)]
public class SchedulesCliTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly string _assets = TestFiles.Assets(new()
    {
        ["demo/cli_tick.sql"] = "select 1 as x",
        ["schedules.yml"] = "schedules:\n  - {name: nightly, cron: \"0 2 * * *\", timezone: Asia/Singapore, selection: cli_tick}",
    });

    private async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var (exit, output, _) = await InProcessCli.RunAsync(new AnalyticsSettings(db.ConnectionString, null, null, _assets), args);
        return (exit, output);
    }

    [Fact]
    public async Task Tick_runs_the_schedule_here_and_list_shows_it_as_the_last_tick()
    {
        var before = await RunAsync("schedules", "list");
        Assert.Equal(0, before.Exit);
        Assert.Matches(@"nightly\s+0 2 \* \* \*\s+Asia/Singapore\s+cli_tick\s+\d{4}-\d\d-\d\d 18:00\s+none yet", before.Output);

        var tick = await RunAsync("schedules", "tick", "nightly");
        Assert.Equal(0, tick.Exit);
        Assert.Matches(@"run [0-9a-f-]{36} succeeded", tick.Output);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from runstore.runs where requested_by = 'schedule:nightly' and status = 'succeeded'"));

        Assert.Matches(@"nightly .* queued \(run succeeded\)", (await RunAsync("schedules", "list")).Output);
    }

    [Fact]
    public async Task An_unknown_schedule_is_bad_input_naming_the_closest()
    {
        var (exit, output) = await RunAsync("schedules", "tick", "nighty");

        Assert.Equal(CliApp.BadInput, exit);
        Assert.Contains("no schedule is called 'nighty'", output);
        Assert.Contains("nightly", output);
    }
}
