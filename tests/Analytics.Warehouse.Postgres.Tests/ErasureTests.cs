using System.Text;
using Analytics.Cli;
using Analytics.Core.Generation;
using Analytics.Ingest;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// Erasure with proof: after erasing a subject, every mart equals a full build on the same input without the
/// subject; the id is found in no text column of any table; the erasure is recorded as complete (never with the id);
/// and a later file that still holds the subject loads without it, those rows kept aside as 'erased' without their text.
/// </summary>
[Collection(InProcessCli.Collection)]
public sealed class ErasureTests : IAsyncLifetime
{
    private readonly DatabaseFixture _erased = new();
    private readonly DatabaseFixture _without = new();

    public async Task InitializeAsync()
    {
        await _erased.InitializeAsync();
        await _without.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _erased.DisposeAsync();
        await _without.DisposeAsync();
    }

    private static async Task<int> RunAsync(DatabaseFixture db, StringWriter output, params string[] args) =>
        await CliApp.RunAsync(args, output, output, new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets));

    /// <summary>Whether a CSV line names <paramref name="user"/> in one of its fields.</summary>
    private static bool Names(string line, string user) => line.Split(',').Any(f => f.Trim().Trim('"').Trim() == user);

    /// <summary>
    /// Builds everything with <paramref name="users"/> in raw_users (as the app database's extraction leaves them),
    /// basic from before the events, then gold from mid-January: two versions each in snap_users, and events of
    /// both tiers in fct_events.
    /// </summary>
    private static async Task BuildWithUsersAsync(DatabaseFixture db, StringWriter output, string[] users)
    {
        Assert.True(await RunAsync(db, output, "materialize", "raw_users") == 0, output.ToString());
        await db.ExecuteAsync("insert into raw.raw_users (load_id, line_number, user_id, tier, signed_up_at, updated_at) values "
                              + string.Join(", ", users.Select((u, i) => $"(1, {i + 1}, '{u}', 'basic', timestamptz '2024-12-01 00:00:00+00', timestamptz '2024-12-01 00:00:00+00')")));
        Assert.True(await RunAsync(db, output, "materialize", "*") == 0, output.ToString());
        await db.ExecuteAsync("update raw.raw_users set tier = 'gold', updated_at = timestamptz '2025-01-20 12:00:00+00'");
        // An extraction is a load: an empty file stands in for it, so the run's loads move on as they would.
        Assert.Equal(0, await RunAsync(db, output, "ingest", TestFiles.Csv(TestFiles.Header)));
        Assert.True(await RunAsync(db, output, "materialize", "*") == 0, output.ToString());
        Assert.Equal(["basic", "gold"], (await db.RowsAsync(
                $"select distinct membership_tier from core.fct_events where user_id = '{users[^1]}' and event_time >= timestamptz '2025-01-01 00:00:00+00' order by 1"))
            .Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task After_an_erasure_the_marts_equal_a_build_without_the_subject_and_the_id_is_found_nowhere()
    {
        var csv = new StringWriter();
        new EventGenerator(new EventGeneratorOptions { Users = 60, Days = 45, Seed = 23, DirtyRate = 0.02 }).Write(csv);
        var lines = csv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // The subject: the user of the most lines, so it spans many days and marts (and some rejected rows).
        var subject = lines.Skip(1).Select(l => l.Split(',')).Where(f => f.Length > 1 && f[1].Trim().Length > 0).GroupBy(f => f[1].Trim())
            .OrderByDescending(g => g.Count()).First().Key;
        var output = new StringWriter();

        var other = lines.Skip(1).Select(l => l.Split(',')).Where(f => f.Length > 1 && f[1].Trim().Length > 0 && f[1].Trim() != subject).First()[1].Trim();

        Assert.Equal(0, await RunAsync(_erased, output, "ingest", TestFiles.Csv(lines)));
        await BuildWithUsersAsync(_erased, output, [subject, other]);
        Assert.True(await _erased.ScalarAsync<long>($"select count(*) from marts.retention_quality_framework where user_id = '{subject}'") == 1);
        Assert.Equal(2L, await _erased.ScalarAsync<long>($"select count(*) from snapshots.snap_users where user_id = '{subject}'"));

        var erase = new StringWriter();
        Assert.True(await RunAsync(_erased, erase, "erase", "--user-id", subject) == 0, erase.ToString());
        Assert.Contains("complete", erase.ToString());

        Assert.Equal(0, await RunAsync(_without, output, "ingest", TestFiles.Csv([.. lines.Where(l => !Names(l, subject))])));
        await BuildWithUsersAsync(_without, output, [other]);
        await SameMarts.AssertAsync(_erased, _without, "after the erasure", "built without the subject");
        foreach (var mart in new[] { "miles_by_tier", "membership_transitions" })
        {
            var sql = $"select * from marts.{mart} order by 1, 2, 3";
            Assert.Equal((await _without.RowsAsync(sql)).Select(r => string.Join("|", r)), (await _erased.RowsAsync(sql)).Select(r => string.Join("|", r)));
        }

        // The users' history (a snapshot, which no rebuild recomputes) lost the subject's versions and kept the others'.
        Assert.Equal(0L, await _erased.ScalarAsync<long>($"select count(*) from snapshots.snap_users where user_id = '{subject}'"));
        Assert.Equal(["basic", "gold"], (await _erased.RowsAsync($"select tier from snapshots.snap_users where user_id = '{other}' order by valid_from")).Select(r => (string)r[0]!));

        // The proof, as recorded: complete, nothing found, and the record does not hold the id.
        Assert.Equal("complete", await _erased.ScalarAsync<string>("select status from runstore.erasures"));
        Assert.Equal("[]", await _erased.ScalarAsync<string>("select found::text from runstore.erasures"));
        Assert.Equal(0L, await _erased.ScalarAsync<long>($"select count(*) from runstore.erasures where row_to_json(erasures)::text like '%{subject}%'"));
        Assert.True(await _erased.ScalarAsync<long>("select (removed->'rows'->>'raw.raw_events')::bigint from runstore.erasures") > 0);

        // The sizes the catalog shows are the tables' after the erasure, not the sizes before it less nothing.
        foreach (var (table, relation) in new[] { ("dim_users", "core.dim_users"), ("retention_quality_framework", "marts.retention_quality_framework"), ("stg_events", "staging.stg_events") })
        {
            Assert.Equal(await _erased.ScalarAsync<long>($"select count(*) from {relation}"),
                await _erased.ScalarAsync<long>($"select table_rows from runstore.materializations where asset_key = '{table}' order by materialized_at desc limit 1"));
        }
    }

    [Fact]
    public async Task A_later_file_that_still_holds_an_erased_subject_loads_without_it()
    {
        var output = new StringWriter();
        Assert.Equal(0, await RunAsync(_erased, output, "ingest", TestFiles.Csv(TestFiles.Header,
            "2025-01-01 09:00:00,gone,like,,,ios,google,SG", "2025-01-01 10:00:00,stays,like,,,ios,google,SG", "2025-01-02 10:00:00,gone,bad_type,,,ios,google,SG")));
        Assert.True(await RunAsync(_erased, output, "materialize", "*") == 0, output.ToString());
        Assert.True(await RunAsync(_erased, output, "erase", "--user-id", "gone") == 0, output.ToString());
        // Its rejected row went too: its text named the id.
        Assert.Equal(0L, await _erased.ScalarAsync<long>("select count(*) from raw.raw_events_rejected"));

        var again = new StringWriter();
        Assert.Equal(0, await RunAsync(_erased, again, "ingest", TestFiles.Csv(TestFiles.Header,
            "2025-01-03 09:00:00,gone,share,,,ios,google,SG", "2025-01-03 10:00:00,stays,share,,,ios,google,SG")));
        Assert.Contains("loaded 1, rejected 1", again.ToString());
        Assert.Equal(["erased " + SourceFileReader.ErasedText],
            (await _erased.RowsAsync("select reason, raw_text from raw.raw_events_rejected")).Select(r => $"{r[0]} {r[1]}").ToList());
        Assert.Equal(0L, await _erased.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'gone'"));
        // The tombstone is a keyed hash: the id is in no text column of the warehouse.
        Assert.Empty(await new PostgresErasure(_erased.DataSource).FindAsync("gone", default));
    }
}
