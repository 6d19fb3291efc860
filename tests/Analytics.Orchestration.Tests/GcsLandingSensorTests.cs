using Analytics.Ingest;
using Analytics.Orchestration;
using Analytics.Testing;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Orchestration.Tests;

/// <summary>The landing sensor on a <c>gs://bucket/prefix</c> zone (<c>Analytics__Landing</c>), against the local Google API server.</summary>
[Trait("Category", "Integration")]
public sealed class GcsLandingSensorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private GoogleApiServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new GoogleApiServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private LandingSensor Sensor()
    {
        var settings = new BigQuerySettings(null, StorageEmulator: _server.Url);
        var store = ILandingStore.For("gs://landing/events/", () => new GcsClient(settings));
        return TestServices.Create(db.DataSource, TestFiles.RepositoryAssets).Sensor(store);
    }

    private void Land(string name, params string[] rows)
    {
        _server.Objects[$"landing/events/{name}"] = System.Text.Encoding.UTF8.GetBytes(string.Join("\n", [TestFiles.Header, .. rows]) + "\n");
        _server.Updated[$"landing/events/{name}"] = DateTimeOffset.UtcNow;
    }

    [Fact]
    public async Task A_new_object_is_ingested_once_and_a_rewritten_one_with_new_content_again()
    {
        Land("day1.csv", "2025-03-01 10:00:00,gcs_u1,like,,,ios,organic,SG");
        _server.Objects["landing/events/notes.txt"] = "not events"u8.ToArray();
        var sensor = Sensor();

        // Objects are whole once listed, so a fresh one is read at once (a local file waits to settle).
        var first = await sensor.SweepAsync(CancellationToken.None);

        Assert.Equal(["gs://landing/events/day1.csv"], first.Ingested);
        Assert.NotNull(first.RunId);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'gcs_u1'"));
        Assert.Equal("gs://landing/events/day1.csv", await db.ScalarAsync<string>("select file_path from raw.ingest_manifest order by file_id desc limit 1"));
        await db.ExecuteAsync("update runstore.runs set status = 'succeeded', finished_at = now() where requested_by = 'sensor:landing' and status = 'queued'");

        // Listed again unchanged (same size and time): not downloaded.
        var downloads = _server.Requests.Count(r => r.PathAndQuery.Contains("alt=media", StringComparison.Ordinal));
        var second = await sensor.SweepAsync(CancellationToken.None);
        Assert.Empty(second.Ingested);
        Assert.Equal(downloads, _server.Requests.Count(r => r.PathAndQuery.Contains("alt=media", StringComparison.Ordinal)));

        // Rewritten with new rows: ingested again.
        Land("day1.csv", "2025-03-01 10:00:00,gcs_u1,like,,,ios,organic,SG", "2025-03-01 11:00:00,gcs_u2,share,,,web,ads,MY");
        var third = await sensor.SweepAsync(CancellationToken.None);
        Assert.Equal(["gs://landing/events/day1.csv"], third.Ingested);
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from raw.raw_events where user_id = 'gcs_u2'"));
        Assert.Equal("gs://landing/events/", sensor.Folder);
    }
}
