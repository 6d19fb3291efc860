using Analytics.Core.Assets;
using Analytics.Ingest;
using Analytics.Testing;
using static Analytics.Testing.XlsxFile;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>Spreadsheet and JSON-lines sources, loaded into PostgreSQL, one rule of reading them a test.</summary>
public class SpreadsheetSourceTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    /// <summary>A partner report source <c>raw_KEY</c>: <paramref name="from"/> says the format, sheet and header row.</summary>
    private static AssetDefinition Declare(string key, string from) =>
        AssetFileParser.Parse($"assets-sql/raw/raw_{key}.sql", "raw", $$"""
            /*
            materialization: source
            columns:
              report_date: {type: date, required: true}
              channel: {type: text, required: true}
              topups: {type: integer, required: true, min: 0}
              amount: {type: numeric, required: true}
              booked_at: timestamp
            from: {{from}}
            */
            """).Asset;

    private static string Key() => "s" + Guid.NewGuid().ToString("N")[..10];

    private async Task<IngestResult> Load(string key, string from, string file) =>
        await new SourceIngestor(db.DataSource).IngestAsync(Declare(key, from), file);

    [Fact]
    public async Task A_named_sheet_is_read_from_its_header_row_with_dates_serials_text_numbers_and_cached_formulas()
    {
        var file = new XlsxFile()
            .Sheet("Notes", [["this sheet is not the report"]])
            .Sheet("Channels", [
                ["Partner report, January"],
                ["Report Date", "Channel", "Topups", "Amount", "Booked At"],
                // A date cell; a number; a formula whose cached value is what is read; an unformatted date serial with a time.
                [new DateCell(45658), "card", 12, new FormulaCell("D2*2", 100.5), 45658.5],
                // An unformatted serial in a date column; a number stored as text; text with spaces; an empty cell.
                [45659, "ewallet", "7", " 20.25 ", null],
                // ISO text dates; a rule broken (negative top-ups).
                ["2025-01-03", "bank_transfer", -1, 5, "2025-01-03 09:30:00"],
                // Trailing empty rows, as spreadsheets keep them.
                [null, null, null],
                ["", "", ""],
            ])
            .Write();
        var key = Key();

        var result = await Load(key, "{files: landing, format: xlsx, sheet: Channels, header_row: 2}", file);

        Assert.Equal((3L, 2L, 1L), (result.RowsRead, result.RowsLoaded, result.RowsRejected));
        Assert.Equal(
            [
                [new DateOnly(2025, 1, 1), "card", 12L, 100.5m, new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc), 3L],
                [new DateOnly(2025, 1, 2), "ewallet", 7L, 20.25m, null, 4L],
            ],
            await db.RowsAsync($"select report_date, channel, topups, amount, booked_at, line_number from raw.raw_{key} order by line_number"));
        Assert.Equal([[5L, "2025-01-03,bank_transfer,-1,5,2025-01-03 09:30:00", "topups -1 is negative"]],
            await db.RowsAsync($"select line_number, raw_text, reason from raw.raw_{key}_rejected"));
    }

    [Fact]
    public async Task Without_a_sheet_named_the_first_is_read()
    {
        var file = new XlsxFile()
            .Sheet("Sheet1", [["report_date", "channel", "topups", "amount"], ["2025-02-01", "card", 3, 9.5]])
            .Sheet("Other", [["report_date", "channel", "topups", "amount"], ["2025-02-02", "card", 4, 1]])
            .Write();
        var key = Key();

        await Load(key, "{files: landing, format: xlsx}", file);

        Assert.Equal([[new DateOnly(2025, 2, 1), 3L]], await db.RowsAsync($"select report_date, topups from raw.raw_{key}"));
    }

    [Fact]
    public async Task A_missing_sheet_is_refused_naming_the_sheets_there_are()
    {
        var file = new XlsxFile().Sheet("Summary", [["x"]]).Sheet("Data", [["y"]]).Write();

        var error = await Assert.ThrowsAsync<IngestException>(() => Load(Key(), "{files: landing, format: xlsx, sheet: Channels}", file));

        Assert.Contains("no sheet named 'Channels' (it has 'Summary', 'Data')", error.Message);
    }

    [Fact]
    public async Task A_header_with_merged_cells_is_refused()
    {
        var file = new XlsxFile().Sheet("Sheet1", [["report_date", "channel", null, "amount"], ["2025-02-01", "card", 3, 9.5]], "B1:C1").Write();

        var error = await Assert.ThrowsAsync<IngestException>(() => Load(Key(), "{files: landing, format: xlsx}", file));

        Assert.Contains("the header row has merged cells (columns 2 to 3); unmerge them", error.Message);
        Assert.Contains("Nothing from this file was loaded", error.Message);
    }

    [Fact]
    public async Task A_header_naming_a_column_twice_is_refused()
    {
        var file = new XlsxFile().Sheet("Sheet1", [["report_date", "Channel", "channel", "topups", "amount"], ["2025-02-01", "card", "card", 3, 9.5]]).Write();

        var error = await Assert.ThrowsAsync<IngestException>(() => Load(Key(), "{files: landing, format: xlsx}", file));

        Assert.Contains("the header names column 'channel' twice; keep one", error.Message);
    }

    [Fact]
    public async Task A_password_protected_workbook_is_refused_with_what_to_do()
    {
        // What "Encrypt with password" writes: an OLE compound file around the encrypted package, not a zip.
        var file = TestFiles.WriteBytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]]);

        var error = await Assert.ThrowsAsync<IngestException>(() => Load(Key(), "{files: landing, format: xlsx}", file));

        Assert.Contains("password-protected", error.Message);
        Assert.Contains("save a copy as .xlsx without the password", error.Message);
    }

    [Fact]
    public async Task A_file_that_is_no_spreadsheet_is_refused()
    {
        var file = TestFiles.Csv("report_date,channel", "2025-01-01,card");

        var error = await Assert.ThrowsAsync<IngestException>(() => Load(Key(), "{files: landing, format: xlsx}", file));

        Assert.Contains("not an .xlsx spreadsheet", error.Message);
    }

    [Fact]
    public async Task Json_lines_load_by_key_with_bad_lines_kept_with_their_reasons()
    {
        var file = TestFiles.WriteBytes(System.Text.Encoding.UTF8.GetBytes(string.Join("\n",
            """{"report_date": "2025-03-01", "Channel": "card", "topups": 5, "amount": 12.5, "extra": [1, 2]}""",
            "",
            """{"report_date": "2025-03-02", "channel": "card", "topups": 5}""",
            """{"report_date": "2025-03-03", "channel": {"name": "card"}, "topups": 1, "amount": 1}""",
            """not json""",
            """[1, 2]""",
            """{"report_date": "2025-03-04", "channel": "ewallet", "topups": "6", "amount": null, "booked_at": "2025-03-04T08:00:00Z"}""") + "\n"));
        var key = Key();

        var result = await Load(key, "{files: landing, format: jsonl}", file);

        Assert.Equal((1L, 5L), (result.RowsLoaded, result.RowsRejected));
        Assert.Equal([[new DateOnly(2025, 3, 1), "card", 5L, 12.5m]], await db.RowsAsync($"select report_date, channel, topups, amount from raw.raw_{key}"));
        var rejected = await db.RowsAsync($"select line_number, reason, raw_text from raw.raw_{key}_rejected order by line_number");
        Assert.Equal([3L, 4L, 5L, 6L, 7L], rejected.Select(r => r[0]));
        Assert.Equal("amount is missing", rejected[0][1]);
        Assert.Equal("channel is a JSON object; a column holds one value", rejected[1][1]);
        Assert.StartsWith("the line is not valid JSON (", (string)rejected[2][1]!);
        Assert.Equal("not json", rejected[2][2]);
        Assert.Equal("the line is a JSON array, not an object of column values", rejected[3][1]);
        Assert.Equal("amount is missing", rejected[4][1]);
    }
}
