using Analytics.Core.Assets;
using Analytics.Ingest;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// A database source read by watermark, one pitfall a test: each test gets its own source table and source key in
/// a source database beside the warehouse, and extracts it with a declaration written here.
/// </summary>
public class DatabaseSourceTests(DatabaseFixture db) : SourceDatabaseTest("src"), IClassFixture<DatabaseFixture>
{
    /// <summary>A source <c>raw_KEY</c> over the table <c>KEY</c> of the source database (or over <paramref name="query"/>).</summary>
    private static AssetDefinition Declare(string key, string lag = "0", int maxRows = 1_000, string window = "1d", string? query = null) =>
        AssetFileParser.Parse($"assets-sql/raw/raw_{key}.sql", "raw", $$"""
            /*
            materialization: source
            primary_key: [id]
            columns:
              id: {type: integer, required: true}
              name: text
              tier: {type: text, accepted_values: [basic, gold]}
              updated_at: {type: timestamp, required: true}
            from: {database: appdb, {{(query is null ? $"table: public.{key}" : $"query: \"{query}\"")}}, watermark: updated_at, window: {{window}}, lag: '{{lag}}', max_rows_per_window: {{maxRows}}}
            */
            """).Asset;

    private async Task<string> TableAsync(params string[] rows)
    {
        var key = "t" + Guid.NewGuid().ToString("N")[..10];
        await ExecAsync($"create table {key} (id int primary key, name text, tier text, updated_at timestamptz not null)");
        foreach (var row in rows)
        {
            await ExecAsync($"insert into {key} values ({row})");
        }

        return key;
    }


    private DatabaseExtractor Extractor() => new(new PostgresExtractionTarget(db.DataSource), name => name == "appdb" ? SourceConnection : null);

    private Task<List<object?[]>> Loaded(string key) => db.RowsAsync($"select id, name, tier from raw.raw_{key} order by id");

    [Fact]
    public async Task Rows_sharing_a_watermark_value_are_all_read_when_a_window_is_cut_among_them()
    {
        // Five rows at one instant, read two at a time: the cursor is (updated_at, id), so the cut never skips a row.
        var key = await TableAsync(
            "1, 'a', 'basic', '2025-01-01 10:00:00Z'", "2, 'b', 'basic', '2025-01-01 10:00:00Z'", "3, 'c', 'gold', '2025-01-01 10:00:00Z'",
            "4, 'd', 'basic', '2025-01-01 10:00:00Z'", "5, 'e', 'gold', '2025-01-01 10:00:00Z'", "6, 'f', 'gold', '2025-01-02 00:00:00Z'");

        var windows = await Extractor().ExtractAsync(Declare(key, maxRows: 2), null, default);

        Assert.Equal([1, 2, 3, 4, 5, 6], (await Loaded(key)).Select(r => (int)(long)r[0]!));
        Assert.Equal(6L, windows.Sum(w => w.Rows));
        Assert.True(windows.Count(w => w.Rows == 2) >= 3, "the window was cut at two rows, three times");
    }

    [Fact]
    public async Task A_row_updated_after_it_was_read_is_read_again_and_replaced_by_key()
    {
        var key = await TableAsync("1, 'before', 'basic', now() - interval '3 hours'", "2, 'other', 'basic', now() - interval '3 hours'");
        await Extractor().ExtractAsync(Declare(key), null, default);
        var first = await db.ScalarAsync<long>($"select load_id from raw.raw_{key} where id = 1");

        await ExecAsync($"update {key} set name = 'after', tier = 'gold', updated_at = clock_timestamp() where id = 1");
        await Extractor().ExtractAsync(Declare(key), null, default);

        Assert.Equal([[1L, "after", "gold"], [2L, "other", "basic"]], await Loaded(key));
        Assert.True(await db.ScalarAsync<long>($"select load_id from raw.raw_{key} where id = 1") > first, "the new version carries the new load");
    }

    [Fact]
    public async Task A_query_whose_key_repeats_within_a_window_keeps_the_last_version_read()
    {
        // A view of a history table: id 1 has two versions in one window; the later (by watermark) is the one kept.
        var key = await TableAsync();
        await ExecAsync($"create table {key}_history (id int, name text, tier text, updated_at timestamptz not null)");
        await ExecAsync($"insert into {key}_history values (1, 'old', 'basic', '2025-01-01 10:00:00Z'), (1, 'new', 'gold', '2025-01-01 11:00:00Z'), "
                        + "(2, 'only', 'basic', '2025-01-01 10:30:00Z')");

        await Extractor().ExtractAsync(Declare(key, query: $"select * from {key}_history"), null, default);

        Assert.Equal([[1L, "new", "gold"], [2L, "only", "basic"]], await Loaded(key));
    }

    [Fact]
    public async Task A_transaction_that_commits_late_is_read_when_it_falls_inside_the_lag()
    {
        var key = await TableAsync("1, 'early', 'basic', now() - interval '2 hours'");
        // A writer's transaction stamps its row five minutes ago and has not committed yet.
        await using var writer = await Source.OpenConnectionAsync();
        await using var late = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"insert into {key} values (2, 'late', 'gold', now() - interval '5 minutes')", writer, late))
        {
            await insert.ExecuteNonQueryAsync();
        }

        // With a ten-minute lag the extraction stops before the uncommitted row's time...
        await Extractor().ExtractAsync(Declare(key, lag: "10m"), null, default);
        Assert.Equal([1L], (await Loaded(key)).Select(r => r[0]));
        await late.CommitAsync();

        // ...so once it has committed, a later extraction (time has passed: no lag left) reads it.
        await Extractor().ExtractAsync(Declare(key, lag: "0"), null, default);
        Assert.Equal([1L, 2L], (await Loaded(key)).Select(r => r[0]));
    }

    [Fact]
    public async Task Without_a_lag_a_late_commit_is_passed_over_which_is_why_the_lag_exists()
    {
        var key = await TableAsync("1, 'early', 'basic', now() - interval '2 hours'");
        await using var writer = await Source.OpenConnectionAsync();
        await using var late = await writer.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand($"insert into {key} values (2, 'late', 'gold', now() - interval '5 minutes')", writer, late))
        {
            await insert.ExecuteNonQueryAsync();
        }

        await Extractor().ExtractAsync(Declare(key, lag: "0"), null, default);
        await late.CommitAsync();
        await Extractor().ExtractAsync(Declare(key, lag: "0"), null, default);

        Assert.Equal([1L], (await Loaded(key)).Select(r => r[0]));
    }

    [Fact]
    public async Task An_empty_window_moves_on_to_the_next_row_and_each_window_is_committed()
    {
        var key = await TableAsync("1, 'first', 'basic', '2025-01-01 12:00:00Z'", "2, 'fifth', 'gold', '2025-01-05 12:00:00Z'",
            "3, 'now', 'gold', now() - interval '1 minute'");

        var windows = await Extractor().ExtractAsync(Declare(key, window: "1d"), null, default);

        Assert.Equal([1L, 2L, 3L], (await Loaded(key)).Select(r => r[0]));
        Assert.Equal("2025-01-01T12:00:00Z", windows[0].From);
        // Jan 1's window, an empty one that moves on to Jan 5's row, Jan 5's window, an empty one, today's.
        Assert.Equal([1L, 0L, 1L, 0L, 1L], windows.Select(w => w.Rows));
        Assert.Equal("2025-01-05T12:00:00Z", windows[2].From);
        Assert.Null(windows[1].LoadId);
        // Each loaded window is a load of its own, in the manifest; empty ones took none.
        Assert.Equal(3L, await db.ScalarAsync<long>($"select count(*) from raw.ingest_manifest where source = 'raw_{key}'"));
        // Nothing is due again, so a second extraction reads nothing.
        Assert.Equal(0L, (await Extractor().ExtractAsync(Declare(key), null, default)).Sum(w => w.Rows + w.Rejected));
    }

    private Task<long> KeyIndexes(string key) =>
        db.ScalarAsync<long>($"select count(*) from pg_indexes where schemaname = 'raw' and indexname = 'raw_{key}_key'");

    [Fact]
    public async Task A_first_extraction_builds_the_key_index_at_the_end_keeping_the_last_version_of_a_key_read_twice()
    {
        // A key in two windows of the first extraction (a row updated while its windows were read): the table loads
        // without its key index, which is built at the end, from the last version read.
        var key = await TableAsync();
        await ExecAsync($"create table {key}_history (id int, name text, tier text, updated_at timestamptz not null)");
        await ExecAsync($"insert into {key}_history values (1, 'old', 'basic', '2025-01-01 10:00:00Z'), (2, 'only', 'basic', '2025-01-02 10:00:00Z'), "
                        + "(1, 'new', 'gold', '2025-01-03 10:00:00Z')");

        var indexesWhileLoading = new List<long>();
        var windows = await Extractor().ExtractAsync(Declare(key, query: $"select * from {key}_history"),
            async _ => indexesWhileLoading.Add(await KeyIndexes(key)), default);

        Assert.All(indexesWhileLoading, count => Assert.Equal(0L, count));
        Assert.Equal(3, windows.Count(w => w.Rows == 1));
        Assert.Equal([[1L, "new", "gold"], [2L, "only", "basic"]], await Loaded(key));
        Assert.Equal(1L, await KeyIndexes(key));
        // From now on the index is kept row by row: a new version replaces the old by key.
        await ExecAsync($"insert into {key}_history values (2, 'later', 'gold', clock_timestamp())");
        await Extractor().ExtractAsync(Declare(key, query: $"select * from {key}_history"), null, default);
        Assert.Equal([[1L, "new", "gold"], [2L, "later", "gold"]], await Loaded(key));
    }

    [Fact]
    public async Task A_first_extraction_that_fails_still_builds_its_key_index_and_one_cut_short_gets_it_from_the_next()
    {
        var key = await TableAsync("1, 'a', 'basic', '2025-01-01 12:00:00Z'", "2, 'b', 'gold', '2025-01-02 12:00:00Z'", "3, 'c', 'gold', '2025-01-03 12:00:00Z'");
        var seen = 0;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Extractor().ExtractAsync(Declare(key),
            _ => ++seen == 2 ? throw new InvalidOperationException("the run store went away") : Task.CompletedTask, default));
        Assert.Equal(1L, await KeyIndexes(key));

        // A process killed mid-way builds nothing: no index, and a key loaded twice. The next extraction makes it good.
        await db.ExecuteAsync($"drop index raw.raw_{key}_key");
        await db.ExecuteAsync($"insert into raw.raw_{key} (load_id, line_number, id, name, tier, updated_at) "
                              + $"select load_id + 1000, line_number, id, 'again', tier, updated_at from raw.raw_{key} where id = 1");

        await Extractor().ExtractAsync(Declare(key), null, default);

        Assert.Equal(1L, await KeyIndexes(key));
        Assert.Equal([[1L, "again", "basic"], [2L, "b", "gold"], [3L, "c", "gold"]], await Loaded(key));
    }

    [Fact]
    public async Task A_restart_resumes_from_the_last_committed_window()
    {
        var key = await TableAsync("1, 'a', 'basic', '2025-01-01 12:00:00Z'", "2, 'b', 'gold', '2025-01-02 12:00:00Z'", "3, 'c', 'gold', '2025-01-03 12:00:00Z'");
        var seen = 0;
        var stop = new CancellationTokenSource();
        // The process dies after the second window committed.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Extractor().ExtractAsync(Declare(key), _ =>
        {
            if (++seen == 2)
            {
                stop.Cancel();
            }

            return Task.CompletedTask;
        }, stop.Token));
        var before = await db.RowsAsync($"select id, load_id from raw.raw_{key} order by id");

        var resumed = await Extractor().ExtractAsync(Declare(key), null, default);

        Assert.Equal("2025-01-03T12:00:00Z", resumed[0].From);
        var after = await db.RowsAsync($"select id, load_id from raw.raw_{key} order by id");
        Assert.Equal(before, after.Take(2));
        Assert.Equal(3, after.Count);
    }

    [Fact]
    public async Task A_source_column_the_declaration_lacks_is_ignored_with_a_warning_said_once()
    {
        var key = await TableAsync("1, 'a', 'basic', now() - interval '1 hour'");
        await ExecAsync($"alter table {key} add column referrer text");

        var first = await Extractor().ExtractAsync(Declare(key), null, default);
        await ExecAsync($"insert into {key} values (2, 'b', 'gold', clock_timestamp(), 'x')");
        var second = await Extractor().ExtractAsync(Declare(key), null, default);

        Assert.Contains("referrer", first[0].Warning);
        Assert.All(second, w => Assert.Null(w.Warning));
        Assert.Equal([1L, 2L], (await Loaded(key)).Select(r => r[0]));
    }

    [Fact]
    public async Task A_declared_column_dropped_from_the_source_fails_the_extraction_naming_it()
    {
        var key = await TableAsync("1, 'a', 'basic', now() - interval '1 hour'");
        await ExecAsync($"alter table {key} drop column tier");

        var error = await Assert.ThrowsAsync<DatabaseExtractor.ExtractionException>(() => Extractor().ExtractAsync(Declare(key), null, default));

        Assert.Contains("no column 'tier'", error.Message);
        Assert.Contains($"raw_{key}.sql", error.Message);
    }

    [Fact]
    public async Task A_row_breaking_a_rule_is_kept_with_its_raw_text_and_reason()
    {
        var key = await TableAsync("1, 'a', 'platinum', '2025-01-01 10:00:00Z'", "2, 'b', 'gold', '2025-01-01 11:00:00Z'");

        await Extractor().ExtractAsync(Declare(key), null, default);

        Assert.Equal([2L], (await Loaded(key)).Select(r => r[0]));
        Assert.Equal([["id=1, name=a, tier=platinum, updated_at=2025-01-01 10:00:00.000000Z", "tier 'platinum' is not one of basic, gold"]],
            await db.RowsAsync($"select raw_text, reason from raw.raw_{key}_rejected"));
    }

    [Fact]
    public async Task A_timestamp_arrives_to_the_microsecond_whatever_its_year()
    {
        // The extractor writes a source's timestamps as text digit by digit (not through a format string): each
        // instant, to the microsecond, from year one on, is the instant loaded. (Rows dated after the source's clock
        // less the lag wait, so none is in the future.)
        string[] instants = ["0001-01-01 00:00:00.5+00", "0999-06-15 12:00:00.000001+00", "2025-01-02 03:04:05.000007+00", "2025-12-31 23:59:59.999999+00"];
        var key = await TableAsync(instants.Select((t, i) => $"{i + 1}, 'n', 'basic', '{t}'").ToArray());

        await Extractor().ExtractAsync(Declare(key), null, default);

        Assert.Equal(
            ["0001-01-01 00:00:00.500000", "0999-06-15 12:00:00.000001", "2025-01-02 03:04:05.000007", "2025-12-31 23:59:59.999999"],
            (await db.RowsAsync($"select to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') from raw.raw_{key} order by id")).Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task A_missing_connection_string_is_a_clear_error_naming_the_setting()
    {
        var key = await TableAsync();
        var error = await Assert.ThrowsAsync<DatabaseExtractor.ExtractionException>(
            () => new DatabaseExtractor(new PostgresExtractionTarget(db.DataSource), _ => null).ExtractAsync(Declare(key), null, default));

        Assert.Contains("ConnectionStrings__appdb", error.Message);
    }
}
