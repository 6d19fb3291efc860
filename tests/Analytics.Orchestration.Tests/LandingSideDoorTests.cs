using Analytics.Ingest;
using Analytics.Orchestration;
using Analytics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Orchestration.Tests;

/// <summary>What the landing folder may hold besides CSV files: pipes, links out of it, link loops (issue 25, finding 5).</summary>
public class LandingSideDoorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Only_regular_files_inside_the_folder_are_read_and_the_rest_are_skipped_saying_why_without_blocking()
    {
        var folder = TestFiles.Folder();
        var sensor = TestServices.Create(db.DataSource, TestFiles.RepositoryAssets).Sensor(folder);
        var regular = Path.Combine(folder, "regular.csv");
        File.WriteAllText(regular, TestFiles.Header + "\n2025-03-01 10:00:00,sidedoor_u1,like,,,ios,organic,SG\n");
        File.SetLastWriteTimeUtc(regular, DateTime.UtcNow.AddMinutes(-1));
        var fifo = Path.Combine(folder, "pipe.csv");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
        }

        var secret = Path.Combine(TestFiles.Folder(), "secret.csv"); // a file outside the landing folder
        File.WriteAllText(secret, TestFiles.Header + "\n2025-03-01 10:00:00,sidedoor_leak,like,,,ios,organic,SG\n");
        File.CreateSymbolicLink(Path.Combine(folder, "outside.csv"), secret);
        File.CreateSymbolicLink(Path.Combine(folder, "shadow.csv"), "/etc/shadow");
        Directory.CreateSymbolicLink(Path.Combine(folder, "loop"), folder);
        var inside = Path.Combine(folder, "inside.csv");
        File.CreateSymbolicLink(inside, regular);

        var sweep = await sensor.SweepAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        // The link inside the folder to regular.csv is read too (it comes first), and regular.csv is then the same content.
        Assert.Equal([inside], sweep.Ingested);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'sidedoor_leak'"));
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'sidedoor_u1'"));
        var files = (await new Analytics.RunStore.SensorFiles(db.DataSource).GetAsync(LandingSensor.Name, folder, 200, CancellationToken.None))!.Files
            .Where(f => f.Path.StartsWith(folder, StringComparison.Ordinal)).ToDictionary(f => Path.GetFileName(f.Path));
        Assert.Equal(["inside.csv", "outside.csv", "pipe.csv", "regular.csv", "shadow.csv"], files.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("skipped", files["pipe.csv"].Status);
        Assert.Contains("FIFO (named pipe), not a regular file", files["pipe.csv"].Reason);
        Assert.Equal("skipped", files["outside.csv"].Status);
        Assert.Contains("outside the landing folder", files["outside.csv"].Reason);
        Assert.Contains("/etc/shadow, outside the landing folder", files["shadow.csv"].Reason);
        Assert.Equal("ingested", files["inside.csv"].Status);
        Assert.Equal("already_ingested", files["regular.csv"].Status);
        Assert.DoesNotContain(files.Keys, name => name.Contains("loop"));
    }
}
