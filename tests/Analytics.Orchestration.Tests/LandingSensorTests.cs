using Analytics.Ingest;
using Analytics.Orchestration;
using Analytics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Orchestration.Tests;

/// <summary>The landing-folder sensor against a real run store and warehouse: what it ingests, once, and what it leaves.</summary>
public class LandingSensorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    /// <summary>A sensor on <paramref name="folder"/>; the class's tests share one sensor name, so none starts behind another's run.</summary>
    private async Task<LandingSensor> SensorAsync(string folder, int maxFiles = LandingSensor.MaxFilesPerSweep)
    {
        await FinishSensorRunsAsync();
        return TestServices.Create(db.DataSource, TestFiles.RepositoryAssets).Sensor(folder, maxFiles);
    }

    /// <summary>Writes a landing file that has settled (last written a minute ago).</summary>
    private static string Land(string folder, string name, params string[] rows)
    {
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, string.Join("\n", [TestFiles.Header, .. rows]) + "\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        return path;
    }

    private Task FinishSensorRunsAsync() =>
        db.ExecuteAsync("update runstore.runs set status = 'succeeded', finished_at = now() where requested_by = 'sensor:landing' and status = 'queued'");

    [Fact]
    public async Task A_new_file_is_ingested_once_and_a_touched_but_unchanged_file_not_at_all()
    {
        var folder = TestFiles.Folder();
        var sensor = await SensorAsync(folder);
        // The class's tests share one database, in an order xunit chooses: count this test's runs only.
        var runsBefore = await db.ScalarAsync<long>("select count(*) from runstore.runs where requested_by = 'sensor:landing'");
        var path = Land(folder, "day1.csv", "2025-03-01 10:00:00,sensor_u1,like,,,ios,organic,SG");

        var first = await sensor.SweepAsync(CancellationToken.None);

        Assert.Equal([path], first.Ingested);
        Assert.NotNull(first.RunId);
        var run = (await db.RowsAsync($"select selection, requested_by, status from runstore.runs where run_id = '{first.RunId}'")).Single();
        Assert.Equal(["raw_events+", "sensor:landing", "queued"], run.Cast<string>());
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'sensor_u1'"));

        // While its run is queued, the sensor waits: whatever lands meanwhile goes into the next run.
        Assert.Contains("still going", (await sensor.SweepAsync(CancellationToken.None)).Skipped);
        await FinishSensorRunsAsync();

        // Untouched: not even read. Touched with the same bytes: read, recognised, not ingested, no run.
        Assert.Empty((await sensor.SweepAsync(CancellationToken.None)).Ingested);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(-30));
        var touched = await sensor.SweepAsync(CancellationToken.None);
        Assert.Equal([path], touched.Unchanged);
        Assert.Empty(touched.Ingested);
        Assert.Null(touched.RunId);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'sensor_u1'"));
        Assert.Equal(runsBefore + 1, await db.ScalarAsync<long>("select count(*) from runstore.runs where requested_by = 'sensor:landing'"));

        // Changed content: a new file as far as ingest goes, and one more run.
        Land(folder, "day1.csv", "2025-03-01 10:00:00,sensor_u1,like,,,ios,organic,SG", "2025-03-02 10:00:00,sensor_u1,share,,,ios,organic,SG");
        var changed = await sensor.SweepAsync(CancellationToken.None);
        Assert.Equal([path], changed.Ingested);
        Assert.NotNull(changed.RunId);
    }

    [Fact]
    public async Task Files_arriving_during_a_run_go_into_the_next_run_together()
    {
        var folder = TestFiles.Folder();
        var sensor = await SensorAsync(folder);
        Land(folder, "a.csv", "2025-04-01 10:00:00,batch_a,like,,,ios,organic,SG");
        Assert.NotNull((await sensor.SweepAsync(CancellationToken.None)).RunId);

        Land(folder, "b.csv", "2025-04-02 10:00:00,batch_b,like,,,ios,organic,SG");
        Land(folder, "c.csv", "2025-04-03 10:00:00,batch_c,like,,,ios,organic,SG");
        Assert.NotNull((await sensor.SweepAsync(CancellationToken.None)).Skipped);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id in ('batch_b', 'batch_c')"));
        await FinishSensorRunsAsync();

        var next = await sensor.SweepAsync(CancellationToken.None);
        Assert.Equal(2, next.Ingested.Count);
        Assert.Equal(2L, await db.ScalarAsync<long>($"select count(*) from runstore.sensor_files where run_id = '{next.RunId}'"));
    }

    [Fact]
    public async Task A_file_refused_whole_is_reported_once_and_not_retried_until_it_changes()
    {
        var folder = TestFiles.Folder();
        var sensor = await SensorAsync(folder);
        var path = Path.Combine(folder, "broken.csv");
        await File.WriteAllTextAsync(path, "no,header,here\n1,2,3\n");
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));

        var first = await sensor.SweepAsync(CancellationToken.None);
        Assert.Equal([path], first.Refused);
        Assert.Null(first.RunId);
        var row = (await db.RowsAsync($"select status, reason from runstore.sensor_files where path = '{path}'")).Single();
        Assert.Equal("refused", row[0]);
        Assert.Contains("header", (string)row[1]!);

        // Touched again and again with the same bytes: never read as a new file, never refused again.
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(-20));
        var again = await sensor.SweepAsync(CancellationToken.None);
        Assert.Empty(again.Refused);
        Assert.Equal([path], again.Unchanged);
        Assert.Equal("refused", await db.ScalarAsync<string>($"select status from runstore.sensor_files where path = '{path}'"));
    }

    [Fact]
    public async Task A_file_still_being_written_waits_for_the_next_sweep()
    {
        var folder = TestFiles.Folder();
        var path = Path.Combine(folder, "writing.csv");
        await File.WriteAllTextAsync(path, TestFiles.Header + "\n2025-05-01 10:00:00,settling,like,,,ios,organic,SG\n");

        Assert.Empty((await (await SensorAsync(folder)).SweepAsync(CancellationToken.None)).Ingested);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(-1));
        Assert.Equal([path], (await (await SensorAsync(folder)).SweepAsync(CancellationToken.None)).Ingested);
    }

    [Fact]
    public async Task A_sweep_ingests_at_most_its_limit_of_files_and_the_next_sweep_takes_the_rest()
    {
        var folder = TestFiles.Folder();
        foreach (var name in new[] { "1.csv", "2.csv", "3.csv" })
        {
            Land(folder, name, $"2025-06-01 10:00:00,many_{name[0]},like,,,ios,organic,SG");
        }

        var first = await (await SensorAsync(folder, maxFiles: 2)).SweepAsync(CancellationToken.None);
        var second = await (await SensorAsync(folder, maxFiles: 2)).SweepAsync(CancellationToken.None);

        Assert.Equal(2, first.Ingested.Count);
        Assert.Equal([Path.Combine(folder, "3.csv")], second.Ingested);
    }

    [Fact]
    public async Task Each_landed_file_goes_to_its_source_by_format_or_folder_and_the_run_follows_the_sources_loaded()
    {
        var folder = TestFiles.Folder();
        var sensor = await SensorAsync(folder);
        var events = Land(folder, "events-routing.csv", "2025-03-05 10:00:00,routing_u1,like,,,ios,organic,SG");
        var report = Path.Combine(folder, "partner", "2025-03.xlsx");
        Directory.CreateDirectory(Path.GetDirectoryName(report)!);
        Ingest.PartnerReport.Write(report, new DateOnly(2025, 3, 1), 2, seed: 5);
        File.SetLastWriteTimeUtc(report, DateTime.UtcNow.AddMinutes(-1));
        // A file no landing source reads is not listed at all; a .jsonl here has no source to go to.
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not data");

        var sweep = await sensor.SweepAsync(CancellationToken.None);

        Assert.Equal([events, report], sweep.Ingested.Order(StringComparer.Ordinal));
        Assert.Equal(8L, await db.ScalarAsync<long>("select count(*) from raw.raw_partner_channels"));
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'routing_u1'"));
        Assert.Equal("raw_events+ raw_partner_channels+", await db.ScalarAsync<string>($"select selection from runstore.runs where run_id = '{sweep.RunId}'"));
    }
}
