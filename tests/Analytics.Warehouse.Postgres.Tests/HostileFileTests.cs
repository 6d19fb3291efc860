using System.Text;
using Analytics.Ingest;
using Analytics.Testing;
using CsCheck;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>Files from the hostile-input review (issue 9): one bad row never costs the file, and every refusal says why.</summary>
public class HostileFileTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_66000_character_field_rejects_its_row_and_the_rest_of_the_file_loads()
    {
        var path = TestFiles.Csv(
            TestFiles.Header,
            "2025-01-01 10:00:00,long_user,miles_earned," + new string('c', 66_000) + ",5,ios,organic,SG",
            "2025-01-01 11:00:00,fine_user,like,,,ios,organic,SG");

        var result = await new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path);

        Assert.Equal((2L, 1L, 1L), (result.RowsRead, result.RowsLoaded, result.RowsRejected));
        var reason = await db.ScalarAsync<string>($"select reason from raw.raw_events_rejected where file_id = {result.FileId} and line_number = 2");
        Assert.Equal("transaction_category is 66,000 characters long; at most 1,024 are loaded", reason);
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_accepted()
    {
        var csv = Encoding.UTF8.GetBytes(TestFiles.Header + "\n2025-01-01 10:00:00,bom_user,like,,,ios,organic,SG\n");
        var path = TestFiles.WriteBytes([0xEF, 0xBB, 0xBF, .. csv]);

        var result = await new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path);

        Assert.Equal(1L, result.RowsLoaded);
    }

    [Fact]
    public async Task A_utf16_file_is_refused_with_how_to_convert_it()
    {
        var text = TestFiles.Header + "\n2025-01-01 10:00:00,wide_user,like,,,ios,organic,SG\n";
        var path = TestFiles.WriteBytes([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)]);

        var error = await Assert.ThrowsAsync<IngestException>(() => new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path));

        Assert.Contains(path, error.Message);
        Assert.Contains("UTF-16", error.Message);
        Assert.Contains("iconv", error.Message);
    }

    [Fact]
    public async Task Rows_read_are_rows_loaded_plus_rows_rejected_for_any_text()
    {
        // Lines made of CSV's own troublemakers (quotes, separators, line breaks, NUL, BOM) around real values.
        var piece = Gen.OneOf<string>(",", "\"", "\n", "\r\n", "\0", "\uFEFF", " ", "2025-01-01 10:00:00", "u1", "like", "miles_earned", "5", "-1",
            "ios", "SG", "é", new string('x', 1_100));
        var body = piece.Array[0, 60].Select(p => string.Concat(p));
        await body.SampleAsync(async text =>
        {
            var path = TestFiles.WriteBytes(Encoding.UTF8.GetBytes(TestFiles.Header + "\n" + text));
            IngestResult result;
            try
            {
                result = await new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path);
            }
            catch (IngestException e)
            {
                // A refusal of the whole file names it; nothing of it was loaded.
                Assert.Contains(path, e.Message);
                return;
            }

            Assert.Equal(result.RowsRead, result.RowsLoaded + result.RowsRejected);
            if (!result.AlreadyIngested)
            {
                Assert.Equal(result.RowsLoaded, await db.ScalarAsync<long>($"select count(*) from raw.raw_events where file_id = {result.FileId}"));
                Assert.Equal(result.RowsRejected, await db.ScalarAsync<long>($"select count(*) from raw.raw_events_rejected where file_id = {result.FileId}"));
            }
        }, iter: 60, threads: 1);
    }
}
