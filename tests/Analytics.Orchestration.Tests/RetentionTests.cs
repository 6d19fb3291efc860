using Analytics.Cli;
using Analytics.Core.Generation;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Orchestration.Tests;

/// <summary>
/// A source's declared retention: the rows dated before today minus max_age are deleted, the deletion is recorded
/// with its days and row counts (and audited), and every mart equals a full build on the rows kept.
/// </summary>
[Collection(InProcessCli.Collection)]
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly DatabaseFixture _retained = new();
    private readonly DatabaseFixture _fresh = new();
    private string _assets = "";

    public async Task InitializeAsync()
    {
        await _retained.InitializeAsync();
        await _fresh.InitializeAsync();
        // The shipped assets, with raw_events keeping 30 days.
        _assets = TestFiles.CopyAssets();
        var events = Path.Combine(_assets, "raw", "raw_events.sql");
        File.WriteAllText(events, File.ReadAllText(events).Replace("partition_by: event_time\n", "partition_by: event_time\nretention: {max_age: 30d}\n"));
    }

    public async Task DisposeAsync()
    {
        await _retained.DisposeAsync();
        await _fresh.DisposeAsync();
    }

    private Task<int> RunAsync(DatabaseFixture db, TextWriter output, params string[] args) =>
        CliApp.RunAsync(args, output, output, new AnalyticsSettings(db.ConnectionString, null, null, _assets));

    [Fact]
    public async Task Rows_older_than_the_declared_age_are_deleted_recorded_and_the_marts_equal_a_build_on_the_rows_kept()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var keptFrom = today.AddDays(-30);
        var csv = Path.Combine(TestFiles.Folder(), "events.csv");
        var output = new StringWriter();
        Assert.Equal(0, await RunAsync(_retained, output, "generate-events", "--out", csv, "--users", "80", "--days", "60",
            "--start", today.AddDays(-59).ToString("yyyy-MM-dd"), "--seed", "31", "--dirty-rate", "0.02"));
        Assert.Equal(0, await RunAsync(_retained, output, "ingest", csv));
        Assert.True(await RunAsync(_retained, output, "materialize", "*") == 0, output.ToString());
        var before = (await _retained.RowsAsync(
                $"select (event_time at time zone 'UTC')::date, count(*) from raw.raw_events where event_time < '{keptFrom:yyyy-MM-dd}'::date group by 1 order by 1"))
            .ToDictionary(r => (DateOnly)r[0]!, r => (long)r[1]!);
        Assert.True(before.Count >= 10, $"the generated month before the cut has rows on {before.Count} day(s)");

        var dry = new StringWriter();
        Assert.Equal(0, await RunAsync(_retained, dry, "retention", "--dry-run"));
        Assert.Contains($"raw_events: would delete {before.Values.Sum():N0} row(s) of {before.Count} day(s) before {keptFrom:yyyy-MM-dd}", dry.ToString());
        Assert.Equal(before.Values.Sum(), await _retained.ScalarAsync<long>($"select count(*) from raw.raw_events where event_time < '{keptFrom:yyyy-MM-dd}'::date"));

        var applied = new StringWriter();
        Assert.True(await RunAsync(_retained, applied, "retention") == 0, applied.ToString());

        Assert.Contains($"raw_events: deleted {before.Values.Sum():N0} row(s)", applied.ToString());
        Assert.Equal(0L, await _retained.ScalarAsync<long>($"select count(*) from raw.raw_events where event_time < '{keptFrom:yyyy-MM-dd}'::date"));
        // Recorded: the first day kept, each day deleted with its rows, and the run that rebuilt what they fed.
        var recorded = (await new Analytics.RunStore.RetentionStore(_retained.DataSource).ListAsync(10, default)).Single();
        Assert.Equal(("raw_events", keptFrom, before.Values.Sum()), (recorded.Source, recorded.KeptFrom, recorded.RowsDeleted));
        Assert.Equal(before, recorded.Days);
        Assert.Equal("succeeded", await _retained.ScalarAsync<string>($"select status from runstore.runs where run_id = '{recorded.RunId}'"));
        Assert.Equal(1L, await _retained.ScalarAsync<long>("select count(*) from runstore.audit_log where action = 'RetentionDelete'"));

        // The reference: the same file, the same rows deleted by hand, every asset built whole.
        Assert.Equal(0, await RunAsync(_fresh, output, "ingest", csv));
        await _fresh.ExecuteAsync($"delete from raw.raw_events where event_time < '{keptFrom:yyyy-MM-dd}'::date");
        Assert.True(await RunAsync(_fresh, output, "materialize", "*") == 0, output.ToString());
        var leftovers = new List<string>();
        foreach (var (table, column) in new[] { ("staging.stg_events", "event_date"), ("core.fct_events", "event_date"), ("core.user_activity_days", "activity_date") })
        {
            leftovers.Add($"{table} {await _retained.ScalarAsync<long>($"select count(*) from {table} where {column} < '{keptFrom:yyyy-MM-dd}'::date")}");
        }

        Assert.Equal(["staging.stg_events 0", "core.fct_events 0", "core.user_activity_days 0"], leftovers);
        await SameMarts.AssertAsync(_retained, _fresh, "after retention", "built on the rows kept");
    }
}
