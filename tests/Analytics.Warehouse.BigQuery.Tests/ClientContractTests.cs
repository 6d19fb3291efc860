using System.Text.Json.Nodes;
using Analytics.Testing;
using Google.Apis.Auth.OAuth2;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>The REST client against a local server that answers BigQuery's and Cloud Storage's documented shapes.</summary>
public sealed class ClientContractTests : IAsyncLifetime
{
    private static readonly RetryPolicy Quick = new(4, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20));

    private GoogleApiServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new GoogleApiServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private BigQuerySettings Settings(long maxBytes = 123_456_789) =>
        new("proj", "EU", "dev_", maxBytes, "gs://stage/loads/", _server.Url, _server.Url);

    private BigQueryClient Client(GoogleRestTransport? transport = null) =>
        new(transport ?? new GoogleRestTransport(null, Quick), Settings()) { Polling = Quick };

    [Fact]
    public async Task Credentials_put_a_bearer_token_on_every_call_and_the_emulator_gets_none()
    {
        var credentialed = Client(new GoogleRestTransport(GoogleCredential.FromAccessToken("ya29.test-token"), Quick));
        await credentialed.QueryAsync("select 1", 10, "a query", CancellationToken.None);
        var calls = _server.Requests;
        Assert.True(calls.Count >= 3, "insert, get, getQueryResults");
        Assert.All(calls, r => Assert.Equal("Bearer ya29.test-token", r.Authorization));

        var before = _server.Requests.Count;
        await Client().QueryAsync("select 1", 10, "a query", CancellationToken.None);
        Assert.All(_server.Requests.Skip(before), r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task A_query_job_carries_the_documented_shape_with_the_cost_guard()
    {
        await Client().QueryAsync("select 1 as x", 10, "a query", CancellationToken.None);

        var insert = _server.Requests.First(r => r.Method == "POST");
        Assert.Equal("/bigquery/v2/projects/proj/jobs", insert.PathAndQuery);
        var job = insert.Json!;
        Assert.Equal("proj", job["jobReference"]!["projectId"]!.GetValue<string>());
        Assert.Equal("EU", job["jobReference"]!["location"]!.GetValue<string>());
        Assert.StartsWith("analytics_", job["jobReference"]!["jobId"]!.GetValue<string>());
        Assert.Equal("select 1 as x", job["configuration"]!["query"]!["query"]!.GetValue<string>());
        Assert.False(job["configuration"]!["query"]!["useLegacySql"]!.GetValue<bool>());
        // int64 is a JSON string in Google's APIs.
        Assert.Equal("123456789", job["configuration"]!["query"]!["maximumBytesBilled"]!.GetValue<string>());
        // The job was RUNNING when inserted, so it was polled with jobs.get before its results were read.
        Assert.Contains(_server.Requests, r => r.Method == "GET" && r.PathAndQuery.StartsWith("/bigquery/v2/projects/proj/jobs/analytics_", StringComparison.Ordinal)
                                               && r.PathAndQuery.Contains("location=EU", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_results_are_read_page_by_page_to_the_end()
    {
        _server.PageSize = 2;
        _server.Answer = _ => (new JsonArray(new JsonObject { ["name"] = "n", ["type"] = "INTEGER" }),
            Enumerable.Range(1, 5).Select(i => new[] { (string?)i.ToString() }).ToList());

        var result = await Client().QueryAsync("select n from t", 100, "a query", CancellationToken.None);

        Assert.Equal(["1", "2", "3", "4", "5"], result.Rows.Select(r => r[0]));
        Assert.Equal(5, result.TotalRows);
        var pages = _server.Requests.Where(r => r.PathAndQuery.Contains("/queries/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count);
        Assert.Contains("pageToken=2", pages[1].PathAndQuery);
        Assert.Contains("pageToken=4", pages[2].PathAndQuery);

        var capped = await Client().QueryAsync("select n from t", 3, "a query", CancellationToken.None);
        Assert.Equal(["1", "2", "3"], capped.Rows.Select(r => r[0]));
    }

    [Fact]
    public async Task A_503_and_a_rate_limit_are_retried_and_then_succeed()
    {
        _server.FailNext(1, 503, "backendError");
        _server.FailNext(1, 403, "rateLimitExceeded");

        await Client().ExecuteAsync("select 1", "a statement", CancellationToken.None);

        var inserts = _server.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(3, inserts.Count);
    }

    [Fact]
    public async Task Retries_stop_after_the_policy_with_a_message_that_says_so()
    {
        _server.FailNext(10, 503, "backendError");

        var error = await Assert.ThrowsAsync<BigQueryException>(() => Client().ExecuteAsync("select 1", "building core.dim_users", CancellationToken.None));

        Assert.Equal(4, _server.Requests.Count);
        Assert.Contains("building core.dim_users", error.Message);
        Assert.Contains("after 4 attempts", error.Message);
        Assert.Contains("transient", error.Message);
    }

    [Fact]
    public async Task A_job_that_fails_with_backendError_runs_again_under_a_new_id()
    {
        var failures = 1;
        _server.FailJob = sql => sql == "select 2" && failures-- > 0 ? ("backendError", "Backend error. Please try again.") : null;

        await Client().ExecuteAsync("select 2", "a statement", CancellationToken.None);

        var ids = _server.Requests.Where(r => r.Method == "POST").Select(r => r.Json!["jobReference"]!["jobId"]!.GetValue<string>()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.NotEqual(ids[0], ids[1]);
    }

    [Theory]
    [InlineData(404, "notFound", "Not found: Dataset proj:dev_marts was not found in location EU", "ANALYTICS_BIGQUERY_DATASET_PREFIX")]
    [InlineData(403, "accessDenied", "Access Denied: Project proj: User does not have bigquery.jobs.create permission in project proj.", "bigquery.jobs.create")]
    [InlineData(403, "accessDenied", "Access Denied", "roles/bigquery.jobUser")]
    [InlineData(401, "authError", "Request had invalid authentication credentials.", "GOOGLE_APPLICATION_CREDENTIALS")]
    [InlineData(400, "invalidQuery", "Syntax error: Unexpected keyword FROM at [1:8]", "BigQuery rejected it: Syntax error")]
    public async Task Errors_become_messages_a_person_can_act_on(int status, string reason, string message, string expected)
    {
        var error = GoogleRestTransport.Describe("building marts.growth_metrics", status, reason, message);
        Assert.Contains(expected, error.Message);
        Assert.StartsWith("building marts.growth_metrics", error.Message);

        _server.FailNext(1, status, reason);
        var thrown = await Assert.ThrowsAsync<BigQueryException>(() => Client().ExecuteAsync("select 1", "building marts.growth_metrics", CancellationToken.None));
        Assert.Equal(status, thrown.Status);
        Assert.Equal(reason, thrown.Reason);
        Assert.Single(_server.Requests);
    }

    [Fact]
    public async Task A_dry_run_reports_the_bytes_and_runs_nothing()
    {
        var bytes = await Client().DryRunAsync("select * from `dev_core.fct_events`", "validating", CancellationToken.None);

        Assert.Equal("select * from `dev_core.fct_events`".Length * 1000L, bytes);
        var insert = Assert.Single(_server.Requests);
        Assert.True(insert.Json!["configuration"]!["dryRun"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Objects_are_listed_page_by_page_downloaded_and_uploaded_through_google_s_client()
    {
        var storage = new GcsClient(Settings(), uploadRetry: Quick);
        for (var i = 0; i < 5; i++)
        {
            _server.Objects[$"land/events/day-{i}.csv"] = "a,b\n1,2\n"u8.ToArray();
        }

        _server.Objects["land/other/x.csv"] = [1];

        var listed = await storage.ListAsync("land", "events/", CancellationToken.None);

        Assert.Equal(5, listed.Count);
        Assert.Equal("gs://land/events/day-0.csv", listed[0].ToString());
        Assert.Equal(3, _server.Requests.Count(r => r.PathAndQuery.StartsWith("/storage/v1/b/land/o?", StringComparison.Ordinal)
                                                    && r.PathAndQuery.Contains("prefix=events%2F", StringComparison.Ordinal)));

        using var copy = new MemoryStream();
        await storage.DownloadAsync(listed[4], copy, CancellationToken.None);
        Assert.Equal("a,b\n1,2\n", System.Text.Encoding.UTF8.GetString(copy.ToArray()));
        Assert.EndsWith("/o/events%2Fday-4.csv?alt=media", _server.Requests[^1].PathAndQuery);

        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "hello");
        _server.FailNext(1, 503, "backendError");
        await storage.UploadAsync(file, "stage", "loads/x.csv", "text/csv", CancellationToken.None);
        Assert.Equal("hello", System.Text.Encoding.UTF8.GetString(_server.Objects["stage/loads/x.csv"]));
        // Resumable: a session opened by a POST (after the 503 was retried), then the bytes PUT to it.
        var upload = _server.Requests.Where(r => r.PathAndQuery.StartsWith("/upload/storage/v1/b/stage/o", StringComparison.Ordinal)).ToList();
        Assert.Equal(["POST", "POST", "PUT"], upload.Select(r => r.Method));
        Assert.All(upload, r => Assert.Contains("uploadType=resumable", r.PathAndQuery));
        File.Delete(file);
    }

    [Fact]
    public async Task A_file_larger_than_a_chunk_is_uploaded_in_chunks_and_arrives_whole()
    {
        // Google's smallest chunk is 256 KiB: a megabyte and a bit goes in five requests after the one that opens the session.
        var storage = new GcsClient(Settings(), uploadChunkSize: 256 * 1024);
        var bytes = new byte[(1 << 20) + 1234];
        new Random(7).NextBytes(bytes);
        var file = Path.GetTempFileName();
        await File.WriteAllBytesAsync(file, bytes);

        await storage.UploadAsync(file, "stage", "loads/big.bin", "application/octet-stream", CancellationToken.None);

        Assert.Equal(bytes, _server.Objects["stage/loads/big.bin"]);
        Assert.Equal(5, _server.Requests.Count(r => r.Method == "PUT" && r.PathAndQuery.Contains("upload_id=", StringComparison.Ordinal)));
        using var copy = new MemoryStream();
        await storage.DownloadAsync(new GcsObject("stage", "loads/big.bin", bytes.Length), copy, CancellationToken.None);
        Assert.Equal(bytes, copy.ToArray());
        File.Delete(file);
    }

    [Fact]
    public async Task A_missing_object_is_an_error_that_names_it()
    {
        var storage = new GcsClient(Settings());

        var error = await Assert.ThrowsAsync<BigQueryException>(() =>
            storage.DownloadAsync(new GcsObject("land", "events/absent.csv", 0), Stream.Null, CancellationToken.None));

        Assert.Contains("gs://land/events/absent.csv", error.Message);
        Assert.Contains("not found", error.Message);
    }

    [Fact]
    public void Settings_are_read_from_the_documented_variables_and_bad_values_name_the_variable()
    {
        var values = new Dictionary<string, string>
        {
            ["ANALYTICS_BIGQUERY_PROJECT"] = "acme-analytics",
            ["ANALYTICS_BIGQUERY_LOCATION"] = "asia-southeast1",
            ["ANALYTICS_BIGQUERY_DATASET_PREFIX"] = "dev_",
            ["ANALYTICS_BIGQUERY_MAX_BYTES_BILLED"] = "1000",
            ["ANALYTICS_GCS_STAGING"] = "gs://acme-landing/staging/",
            ["BIGQUERY_EMULATOR_HOST"] = "127.0.0.1:9050",
            ["STORAGE_EMULATOR_HOST"] = "http://127.0.0.1:4443",
        };
        var settings = BigQuerySettings.FromLookup(values.GetValueOrDefault);

        Assert.Equal(("acme-analytics", "asia-southeast1", "dev_", 1000L), (settings.Project, settings.Location, settings.DatasetPrefix, settings.MaximumBytesBilled));
        Assert.Equal("http://127.0.0.1:9050/bigquery/v2/", settings.BigQueryBase.ToString());
        Assert.Equal("http://127.0.0.1:4443/", settings.StorageBase.ToString());
        Assert.Equal("https://bigquery.googleapis.com/bigquery/v2/", BigQuerySettings.FromLookup(_ => null).BigQueryBase.ToString());
        Assert.Equal("US", BigQuerySettings.FromLookup(_ => null).Location);

        foreach (var (name, bad) in new[]
                 {
                     ("ANALYTICS_BIGQUERY_MAX_BYTES_BILLED", "-1"), ("ANALYTICS_BIGQUERY_MAX_BYTES_BILLED", "lots"),
                     ("ANALYTICS_BIGQUERY_DATASET_PREFIX", "dev-"), ("ANALYTICS_GCS_STAGING", "s3://x/y"),
                     ("ANALYTICS_GCS_STAGING", "gs://UPPER/x"), ("BIGQUERY_EMULATOR_HOST", "ftp://x"),
                 })
        {
            var error = Assert.Throws<ArgumentException>(() => BigQuerySettings.FromLookup(n => n == name ? bad : null));
            Assert.Contains(name, error.Message);
        }

        Assert.Contains("ANALYTICS_BIGQUERY_PROJECT", Assert.Throws<BigQueryException>(() => BigQuerySettings.FromLookup(_ => null).RequireProject()).Message);
    }
}
