using System.Security.Cryptography;
using System.Text;
using Analytics.Ingest;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>A file that changes while it is being ingested: renamed over (a writer's atomic save) or rewritten in place.</summary>
public class IngestRaceTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_file_changed_at_random_points_of_its_ingest_never_loses_rows_or_records_another_contents_hash()
    {
        var path = Path.Combine(TestFiles.Folder(), "events.csv");
        var contents = new Dictionary<string, (string Prefix, long Rows)>();
        var random = new Random(25);
        for (var round = 0; round < 8; round++)
        {
            var first = Content($"r{round}a_", 60_000, contents);
            var second = Content($"r{round}b_", 40_000, contents);
            await File.WriteAllBytesAsync(path, first);
            var ingest = Task.Run(() => new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path));
            await Task.Delay(random.Next(0, 250));
            if (round % 2 == 0)
            {
                await File.WriteAllBytesAsync(path + ".tmp", second);
                File.Move(path + ".tmp", path, overwrite: true);
            }
            else
            {
                await File.WriteAllBytesAsync(path, second);
            }

            try
            {
                await ingest;
            }
            catch (IngestException refused)
            {
                Assert.Contains("changed while it was being read", refused.Message);
            }

            await new SourceIngestor(db.DataSource).IngestAsync(TestSources.Events, path); // what the file holds now
        }

        var manifest = await db.RowsAsync($"select file_id, content_hash, rows_loaded from raw.ingest_manifest where file_path = '{path}'");
        Assert.NotEmpty(manifest);
        foreach (var entry in manifest)
        {
            Assert.True(contents.TryGetValue((string)entry[1]!, out var content), $"file {entry[0]} was recorded with a hash no content of the file had");
            var loaded = await db.RowsAsync($"select count(*), count(*) filter (where user_id like '{content.Prefix}%') from raw.raw_events where file_id = {entry[0]}");
            Assert.Equal((content.Rows, content.Rows, content.Rows), ((long)entry[2]!, (long)loaded[0][0]!, (long)loaded[0][1]!));
        }

        // Whatever the file held last in each round is loaded, whole.
        foreach (var (_, (prefix, rows)) in contents.Where(c => c.Value.Prefix.EndsWith("b_", StringComparison.Ordinal)))
        {
            Assert.Equal(rows, await db.ScalarAsync<long>($"select count(*) from raw.raw_events where user_id like '{prefix}%'"));
        }
    }

    private static byte[] Content(string prefix, int rows, Dictionary<string, (string, long)> contents)
    {
        var text = new StringBuilder(TestFiles.Header).Append('\n');
        for (var i = 0; i < rows; i++)
        {
            text.Append("2025-01-01 10:00:00,").Append(prefix).Append(i).Append(",like,,,ios,organic,SG\n");
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        contents[Convert.ToHexStringLower(SHA256.HashData(bytes))] = (prefix, rows);
        return bytes;
    }
}
