using System.Net;
using Analytics.Testing;
using Npgsql;

namespace Analytics.Api.Tests;

/// <summary>The API while PostgreSQL cannot be reached (issue 25, finding 11): 503 with a problem and Retry-After, never a 500.</summary>
public sealed class DatabaseOutageTests : IClassFixture<DatabaseFixture>, IAsyncDisposable
{
    private readonly TcpCutter _cutter;
    private readonly ApiHost _api;

    public DatabaseOutageTests(DatabaseFixture db)
    {
        var direct = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        _cutter = new TcpCutter(direct.Port);
        _api = new ApiHost(new NpgsqlConnectionStringBuilder(db.ConnectionString) { Port = _cutter.Port, Timeout = 2 }.ConnectionString,
            TestFiles.RepositoryAssets, inProcessWorker: false);
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _cutter.DisposeAsync();
    }

    [Theory]
    [InlineData("/api/assets")]
    [InlineData("/api/assets/growth_metrics")]
    [InlineData("/api/runs")]
    [InlineData("/api/marts/growth_metrics/rows?limit=5")]
    [InlineData("/api/assets/growth_metrics/preview?limit=5")]
    public async Task Every_database_route_answers_503_with_retry_after_while_postgres_is_down_and_200_again_after(string url)
    {
        var client = _api.Client();
        var before = await client.GetAsync(url);
        _cutter.Cut();

        // The catalog's statuses are cached while its LISTEN connection lives: the first request after the cut may be
        // served from that cache before the listener has seen its connection drop. Within moments every one is a 503.
        var during = await client.GetAsync(url);
        for (var retry = 0; retry < 20 && during.StatusCode == HttpStatusCode.OK; retry++)
        {
            await Task.Delay(100);
            during = await client.GetAsync(url);
        }

        Assert.True(during.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)during.StatusCode}: {await during.Content.ReadAsStringAsync()}");
        Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), during.Headers.RetryAfter?.Delta);
        Assert.Contains("PostgreSQL cannot be reached", await during.Content.ReadAsStringAsync());

        // Back: a pooled connection the outage broke may answer one more 503 (as Retry-After invites), then all is as before.
        _cutter.Restore();
        var after = await client.GetAsync(url);
        for (var retry = 0; retry < 5 && after.StatusCode == HttpStatusCode.ServiceUnavailable; retry++)
        {
            after = await client.GetAsync(url);
        }

        Assert.Equal(before.StatusCode, after.StatusCode);
    }
}
