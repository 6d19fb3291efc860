using Analytics.Ingest;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

public class IngestTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Every_kind_of_bad_row_is_rejected_with_its_reason_and_counts_add_up()
    {
        var path = TestFiles.Csv(
            TestFiles.Header,
            "2025-05-04 09:50:20.784808,u_0081,miles_earned,dining,516.0,web,organic,TH",
            "2025-03-27 22:48:44.699845,u_0037,share,,,android,google,TH",
            ",u1,share,,,ios,organic,SG",
            "2025-02-30 10:00:00,u1,share,,,ios,organic,SG",
            "2025-01-01 10:00:00,   ,share,,,ios,organic,SG",
            "2025-01-01 10:00:00,u1,transfer,,,ios,organic,SG",
            "2025-01-01 10:00:00,u1,miles_earned,dining,,ios,organic,SG",
            "2025-01-01 10:00:00,u1,miles_redeemed,travel,-5,ios,organic,SG",
            "2025-01-01 10:00:00,u1,miles_earned,dining,NaN,ios,organic,SG",
            "2025-01-01 10:00:00,u1,share,ios",
            "\"2025-01-01 10:00:00\",\"u,2\",like,,,\"ios\",organic,SG",
            "2025-01-01 23:30:00-02:00,u3,like,,,ios,organic,SG");

        var result = await new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path);

        Assert.Equal((12L, 4L, 8L), (result.RowsRead, result.RowsLoaded, result.RowsRejected));
        var reasons = await db.RowsAsync($"select line_number, reason, raw_text from raw.raw_events_rejected where file_id = {result.FileId} order by line_number");
        Assert.Equal([4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L], reasons.Select(r => (long)r[0]!));
        Assert.Contains("event_time is missing", (string)reasons[0][1]!);
        Assert.Contains("not a valid ISO 8601", (string)reasons[1][1]!);
        Assert.Contains("user_id is missing", (string)reasons[2][1]!);
        Assert.Contains("'transfer' is not one of", (string)reasons[3][1]!);
        Assert.Contains("miles_amount is missing", (string)reasons[4][1]!);
        Assert.Contains("negative", (string)reasons[5][1]!);
        Assert.Equal("2025-01-01 10:00:00,u1,miles_earned,dining,NaN,ios,organic,SG", reasons[6][2]);
        var manifest = await db.RowsAsync($"select rows_read, rows_loaded, rows_rejected from raw.ingest_manifest where file_id = {result.FileId}");
        Assert.Equal(new object[] { 12L, 4L, 8L }, manifest[0]);
        var quoted = await db.ScalarAsync<string>($"select user_id from raw.raw_events where file_id = {result.FileId} and line_number = 12");
        Assert.Contains("expected 8 fields, found 4", (string)reasons[7][1]!);
        Assert.Equal("u,2", quoted);
        var shifted = await db.ScalarAsync<DateTime>($"select event_time from raw.raw_events where file_id = {result.FileId} and user_id = 'u3'");
        Assert.Equal(new DateTime(2025, 1, 2, 1, 30, 0), shifted);
    }

    [Fact]
    public async Task Values_arrive_exactly_as_written_through_binary_copy()
    {
        string[] miles = ["0", "0.05", "12.50", "516.0", "1e3", "123456789.123456", "-5.25", "79228162514264337593543950335", "0.0000000000000000000000000001", "10000"];
        var path = TestFiles.Csv([TestFiles.Header, .. miles.Select((m, i) => $"2024-02-29T23:59:59.123456+01:00,exact_{i},like,caf\u00e9 \u2615,{m},ios,\"quoted, \"\"source\"\"\",SG")]);

        await new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path);

        var rows = await db.RowsAsync("""
            select miles_amount::text, to_char(event_time at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), transaction_category, utm_source
            from raw.raw_events where user_id like 'exact_%' order by line_number
            """);
        Assert.Equal(["0", "0.05", "12.50", "516.0", "1000", "123456789.123456", "-5.25", "79228162514264337593543950335", "0.0000000000000000000000000001", "10000"],
            rows.Select(r => (string)r[0]!));
        Assert.All(rows, r => Assert.Equal("2024-02-29 22:59:59.123456", r[1]));
        Assert.All(rows, r => Assert.Equal("caf\u00e9 \u2615", r[2]));
        Assert.All(rows, r => Assert.Equal("quoted, \"source\"", r[3]));
    }

    [Fact]
    public async Task A_row_with_a_nul_character_is_rejected_and_the_rest_of_the_file_loads()
    {
        var path = TestFiles.Csv(TestFiles.Header, "2025-01-01 10:00:00,nul\0user,like,,,ios,organic,SG", "2025-01-01 10:00:00,fine_user,like,,,ios,organic,SG");

        var result = await new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path);

        Assert.Equal((2L, 1L, 1L), (result.RowsRead, result.RowsLoaded, result.RowsRejected));
        Assert.Equal("2025-01-01 10:00:00,nul\\0user,like,,,ios,organic,SG",
            await db.ScalarAsync<string>($"select raw_text from raw.raw_events_rejected where file_id = {result.FileId}"));
    }

    [Fact]
    public async Task Ingesting_the_same_file_twice_loads_it_once_and_says_so()
    {
        var path = TestFiles.Csv(TestFiles.Header, "2025-01-01 10:00:00,twice,like,,,ios,organic,SG");
        var ingestor = new SourceIngestor(db.DataSource);

        var first = await ingestor.IngestAsync(TestSources.Events, path);
        var copy = Path.Combine(TestFiles.Folder(), "renamed.csv");
        File.Copy(path, copy);
        var second = await ingestor.IngestAsync(TestSources.Events, copy);

        Assert.False(first.AlreadyIngested);
        Assert.True(second.AlreadyIngested);
        Assert.Equal(first.FileId, second.FileId);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'twice'"));
    }

    [Fact]
    public async Task A_file_without_a_required_column_is_refused_whole()
    {
        var path = TestFiles.Csv("event_time,event_type,country", "2025-01-01 10:00:00,like,SG");

        var error = await Assert.ThrowsAsync<IngestException>(() => new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path));

        Assert.Contains($"{path}:1", error.Message);
        Assert.Contains("user_id", error.Message);
        Assert.Equal(0L, await db.ScalarAsync<long>($"select count(*) from raw.ingest_manifest where file_path = '{path}'"));
    }

    [Fact]
    public async Task A_file_with_bytes_that_are_not_utf8_is_refused_whole_naming_the_line()
    {
        var good = string.Join("\n", Enumerable.Range(0, 5000).Select(i => $"2025-01-01 10:00:00,latin_{i},like,,,ios,organic,SG"));
        var bytes = System.Text.Encoding.UTF8.GetBytes(TestFiles.Header + "\n" + good + "\n2025-01-01 10:00:00,caf")
            .Concat(new byte[] { 0xE9 }).Concat(System.Text.Encoding.UTF8.GetBytes(",like,,,ios,organic,SG\n")).ToArray();
        var path = TestFiles.WriteBytes(bytes);

        var error = await Assert.ThrowsAsync<IngestException>(() => new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path));

        Assert.Contains("not UTF-8", error.Message);
        Assert.Contains("Nothing from this file was loaded", error.Message);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id like 'latin_%'"));
        Assert.Equal(0L, await db.ScalarAsync<long>($"select count(*) from raw.ingest_manifest where file_path = '{path}'"));
    }

    [Fact]
    public async Task Folders_expand_to_their_csv_files_in_name_order()
    {
        var folder = TestFiles.Folder();
        File.WriteAllText(Path.Combine(folder, "b.csv"), "x");
        File.WriteAllText(Path.Combine(folder, "a.csv"), "x");
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "x");
        Directory.CreateDirectory(Path.Combine(folder, "2025", "03"));
        File.WriteAllText(Path.Combine(folder, "2025", "03", "c.csv"), "x");
        // Hidden: the app's own data folder (its landing zone), and a hidden file.
        Directory.CreateDirectory(Path.Combine(folder, ".analytics", "landing"));
        File.WriteAllText(Path.Combine(folder, ".analytics", "landing", "events.csv"), "x");
        File.WriteAllText(Path.Combine(folder, ".partial.csv"), "x");

        var files = SourceIngestor.ExpandPaths([folder]);

        Assert.Equal(["2025/03/c.csv", "a.csv", "b.csv"], files.Select(f => Path.GetRelativePath(folder, f)));
        Assert.Throws<FileNotFoundException>(() => SourceIngestor.ExpandPaths([Path.Combine(folder, "missing.csv")]));
        await Task.CompletedTask;
    }
}
