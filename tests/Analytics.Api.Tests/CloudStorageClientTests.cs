using Analytics.Testing;
using Analytics.Warehouse.BigQuery;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Tests;

/// <summary>
/// The Cloud Storage client a service resolves (issue 32): made by the container from the host's settings, its requests
/// through the host's <c>HttpClient</c> factory under its own name, whose resilience handler waits minutes, not the
/// standard 10 s, for a chunk.
/// </summary>
public sealed class CloudStorageClientTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task The_service_s_storage_client_reads_the_host_s_settings_and_goes_through_its_http_client_factory()
    {
        await using var google = new GoogleApiServer();
        google.Objects["landing/events/a.csv"] = "x\n"u8.ToArray();
        using var api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false,
            new Dictionary<string, string?> { ["STORAGE_EMULATOR_HOST"] = google.Url.ToString() });

        var storage = api.Services.GetRequiredService<GcsClient>();
        var listed = await storage.ListAsync("landing", "events/", CancellationToken.None);
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "uploaded");
        await storage.UploadAsync(file, "landing", "staged/b.csv", "text/csv", CancellationToken.None);
        File.Delete(file);

        Assert.Equal(["gs://landing/events/a.csv"], listed.Select(o => o.ToString()));
        Assert.Equal("uploaded", System.Text.Encoding.UTF8.GetString(google.Objects["landing/staged/b.csv"]));
        var resilience = api.Services.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>().Get(GcsClient.HttpClientName + "-standard");
        Assert.Equal(TimeSpan.FromMinutes(5), resilience.AttemptTimeout.Timeout);
    }
}
