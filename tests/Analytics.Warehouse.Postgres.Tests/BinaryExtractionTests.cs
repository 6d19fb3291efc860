using Analytics.Core.Assets;
using Analytics.Ingest;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// A PostgreSQL source read into PostgreSQL passes its rows on in binary COPY encoding without reading them as text;
/// every row that needs a rule applied to its text goes through the validator. Both paths must give the same raw rows
/// and the same rejections with the same reasons: each test extracts one source table twice, once each way, and compares.
/// </summary>
public class BinaryExtractionTests(DatabaseFixture db) : SourceDatabaseTest("binsrc"), IClassFixture<DatabaseFixture>
{
    private const string Columns = """
        columns:
          id: {type: integer, required: true, min: 0, max: 1000000}
          code: {type: text, max_length: 4}
          tier: {type: text, required: true, accepted_values: [basic, gold, 'über']}
          tenant: {type: text, pattern: '[a-z]{1,8}', means: 1 to 8 lowercase letters}
          small: integer
          amount: numeric
          born: date
          active: boolean
          seen_at: timestamp
          updated_at: {type: timestamp, required: true}
        """;

    private static AssetDefinition Declare(string key, string table) =>
        AssetFileParser.Parse($"assets-sql/raw/raw_{key}.sql", "raw", $$"""
            /*
            materialization: source
            primary_key: [id]
            {{Columns.Replace("\n", "\n            ")}}
            from: {database: appdb, table: public.{{table}}, watermark: updated_at, window: 1d, lag: '0', max_rows_per_window: 3}
            */
            """).Asset;


    /// <summary>Extracts <paramref name="table"/> into raw_KEYb (binary) and raw_KEYt (typed, as text); returns both keys.</summary>
    private async Task<(string Binary, string Typed)> ExtractBothWaysAsync(string table)
    {
        string Connection(string name) => name == "appdb" ? SourceConnection : null!;
        var binary = await new DatabaseExtractor(new PostgresExtractionTarget(db.DataSource), Connection).ExtractAsync(Declare(table + "b", table), null, default);
        var typed = await new DatabaseExtractor(new PostgresExtractionTarget(db.DataSource), Connection) { BinaryCopy = false }.ExtractAsync(Declare(table + "t", table), null, default);
        Assert.Equal(typed.Select(w => (w.Rows, w.Rejected)), binary.Select(w => (w.Rows, w.Rejected)));
        return (table + "b", table + "t");
    }

    private Task<List<object?[]>> Raw(string key) => db.RowsAsync(
        $"select line_number, id, code, tier, tenant, small, amount::text, born, active, seen_at, updated_at from raw.raw_{key} order by id");

    private Task<List<object?[]>> Rejected(string key) => db.RowsAsync($"select line_number, raw_text, reason from raw.raw_{key}_rejected order by raw_text");

    private async Task<string> TableAsync(string types, params string[] rows)
    {
        var table = "b" + Guid.NewGuid().ToString("N")[..10];
        await ExecAsync($"create table {table} ({types})");
        foreach (var row in rows)
        {
            await ExecAsync($"insert into {table} values ({row})");
        }

        return table;
    }

    [Fact]
    public async Task Every_kind_of_value_loads_and_is_refused_the_same_whether_passed_through_or_read_as_text()
    {
        var table = await TableAsync(
            "id int, code varchar(10), tier text, tenant text, small smallint, amount numeric, born date, active bool, seen_at timestamp, updated_at timestamptz",
            // Clean rows, each type at an edge: a negative numeric with trailing zeros, a large one, a leap day, false, no zone.
            "1, 'ab', 'basic', 'acme', -32768, -12.3400, '2024-02-29', false, '2025-01-01 10:00:00.000001', '2025-01-01 00:00:00Z'",
            "2, null, 'gold', null, 32767, 123456789012345678.5, '0001-01-01', true, null, '2025-01-01 00:00:01Z'",
            "3, '', 'über', 'b', 0, 0, null, null, '9999-12-31 23:59:59.999999', '2025-01-01 00:00:02Z'",
            "4, 'x', 'gold', 'c', null, 0.0001, '2000-01-01', true, '1999-12-31 23:59:59', '2025-01-01 00:00:03Z'",
            // Text to trim, inside and outside its rules, and white space that is not ASCII.
            "5, ' ab ', ' gold', 'acme ', 1, 1, null, null, null, '2025-01-02 00:00:00Z'",
            "6, e'\\u00a0x', 'basic', e'acme\\u00a0', 1, 1, null, null, null, '2025-01-02 00:00:01Z'",
            // Too long in characters; too long in bytes only (which loads); then not accepted, pattern, below the minimum, required missing.
            "7, 'abcde', 'basic', 'acme', 1, 1, null, null, null, '2025-01-03 00:00:00Z'",
            "8, 'üüüü', 'basic', 'acme', 1, 1, null, null, null, '2025-01-03 00:00:01Z'",
            "9, 'a', 'silver', 'acme', 1, 1, null, null, null, '2025-01-03 00:00:02Z'",
            "10, 'a', 'basic', 'ACME', 1, 1, null, null, null, '2025-01-03 00:00:03Z'",
            "-11, 'a', 'basic', 'acme', 1, 1, null, null, null, '2025-01-03 00:00:04Z'",
            "12, 'a', '', 'acme', 1, 1, null, null, null, '2025-01-04 00:00:00Z'",
            "13, 'a', null, 'acme', 1, 1, null, null, null, '2025-01-04 00:00:01Z'",
            // Values no .NET type holds: NaN, infinite dates and times.
            "14, 'a', 'basic', 'acme', 1, 'NaN', null, null, null, '2025-01-05 00:00:00Z'",
            "15, 'a', 'basic', 'acme', 1, 1, 'infinity', null, null, '2025-01-05 00:00:01Z'",
            "16, 'a', 'basic', 'acme', 1, 1, null, null, '-infinity', '2025-01-05 00:00:02Z'",
            "17, 'a', 'basic', 'acme', 1, 1, null, null, null, '2025-01-05 00:00:03Z'");

        var (binary, typed) = await ExtractBothWaysAsync(table);

        var rows = await Raw(binary);
        Assert.Equal(await Raw(typed), rows);
        Assert.Equal(await Rejected(typed), await Rejected(binary));
        // And what both did, by hand: trimmed, loaded, refused.
        Assert.Equal([1, 2, 3, 4, 5, 6, 8, 17], rows.Select(r => (int)(long)r[1]!));
        Assert.Equal(["ab", "gold", "acme"], new[] { rows[4][2], rows[4][3], rows[4][4] });
        Assert.Equal("-12.3400", rows[0][6]);
        Assert.Equal("123456789012345678.5", rows[1][6]);
        Assert.Null(rows[2][2]); // empty text is no value
        var reasons = (await Rejected(binary)).Select(r => (string)r[2]!).ToList();
        Assert.Equal(9, reasons.Count);
        Assert.Equal("üüüü", rows[6][2]);
        Assert.Contains("code is 5 characters long; at most 4 are loaded", reasons);
        Assert.Contains("tier 'silver' is not one of basic, gold, über", reasons);
        Assert.Contains("tenant 'ACME' is not 1 to 8 lowercase letters", reasons);
        Assert.Contains("tier is missing", reasons);
        Assert.Contains("amount 'NaN' is not a finite number", reasons);
        Assert.Contains("born 'infinity' is not a date (YYYY-MM-DD)", reasons);
        Assert.Contains("id -11 is negative", reasons);
    }

    [Fact]
    public async Task A_bigint_key_and_a_text_watermark_cut_go_on_from_the_same_cursor_either_way()
    {
        // Many rows at one instant, cut three at a time: the cursor of the binary path is read from its bytes.
        var rows = Enumerable.Range(1, 10).Select(i => $"{i}, 'c{i}', 'basic', 'acme', {i}, {i}.5, null, null, null, '2025-02-01 00:00:00Z'").ToArray();
        var table = await TableAsync(
            "id bigint, code text, tier text, tenant text, small int, amount numeric(10,2), born date, active bool, seen_at timestamptz, updated_at timestamp", rows);

        var (binary, typed) = await ExtractBothWaysAsync(table);

        Assert.Equal(await Raw(typed), await Raw(binary));
        Assert.Equal(Enumerable.Range(1, 10), (await Raw(binary)).Select(r => (int)(long)r[1]!));
        Assert.Equal("1.50", (await Raw(binary))[0][6]);
    }

    [Fact]
    public void A_cursor_value_becomes_a_literal_of_its_type_and_text_cannot_leave_its_quotes()
    {
        Assert.Equal("'2025-01-02 03:04:05.000006+00'::timestamptz",
            DatabaseExtractor.Literal(new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(60)));
        Assert.Equal("E'it''s a \\\\'' or 1=1 --'", DatabaseExtractor.Literal("it's a \\' or 1=1 --"));
        Assert.Equal("-42", DatabaseExtractor.Literal(-42L));
        Assert.Equal("1.50", DatabaseExtractor.Literal(1.50m));
        Assert.Equal("'2024-02-29'::date", DatabaseExtractor.Literal(new DateOnly(2024, 2, 29)));
    }

    [Fact]
    public void Only_a_source_whose_every_column_the_pass_through_knows_is_passed_through()
    {
        var declaration = Declare("plan", "t").Source!;
        string[] types = ["int4", "varchar", "text", "text", "int2", "numeric", "date", "bool", "timestamp", "timestamptz"];
        Assert.NotNull(BinaryPassThrough.For(declaration, types, Core.Ingest.EventTimeRange.Default));
        // A float for a numeric column, a text column holding the timestamps, a domain: each read as text.
        Assert.Null(BinaryPassThrough.For(declaration, [.. types[..5], "float8", .. types[6..]], Core.Ingest.EventTimeRange.Default));
        Assert.Null(BinaryPassThrough.For(declaration, [.. types[..9], "text"], Core.Ingest.EventTimeRange.Default));
        Assert.Null(BinaryPassThrough.For(declaration, ["my_domain", .. types[1..]], Core.Ingest.EventTimeRange.Default));
    }
}
