using Google;
using Google.Apis.Http;
using Google.Cloud.Storage.V1;

namespace Analytics.Warehouse.BigQuery;

/// <summary>An object in a bucket, as <c>objects.list</c> describes it.</summary>
public sealed record GcsObject(string Bucket, string Name, long Size)
{
    /// <summary>When the object was last written (<c>updated</c>).</summary>
    public DateTimeOffset Updated { get; init; }

    public override string ToString() => $"gs://{Bucket}/{Name}";
}

/// <summary>
/// The Cloud Storage calls ingest uses, on Google's client (<c>Google.Cloud.Storage.V1</c>): objects listed page by page,
/// an object's bytes downloaded (checked against its CRC32C when the server sends one), and a file uploaded (resumable,
/// in chunks, checked likewise). The client is made on first use, so a process that never touches a bucket needs no
/// credentials; against an emulator (<c>STORAGE_EMULATOR_HOST</c>) it sends none. Google's errors become
/// <see cref="BigQueryException"/>s that say what was being done and what to fix.
/// </summary>
public sealed class GcsClient
{
    /// <summary>The name of the <c>HttpClient</c> the client's requests go through, when a host's factory supplies it.</summary>
    public const string HttpClientName = "gcs";

    /// <summary>At most this many objects under one prefix: a larger landing zone is ingested by narrower prefixes.</summary>
    public const int MaxObjects = 100_000;

    private readonly Lazy<Task<StorageClient>> _client;

    /// <param name="settings">Where Cloud Storage is: Google's endpoint, or the emulator's.</param>
    /// <param name="handlers">
    /// Makes the message handler of each HTTP client the library creates (a host's <c>IHttpMessageHandlerFactory</c>, so its
    /// requests carry the host's resilience and telemetry); null uses the library's own.
    /// </param>
    /// <param name="uploadChunkSize">The bytes sent per request of a resumable upload; null is the library's default (10 MiB).</param>
    /// <param name="uploadRetry">How often a whole upload is tried again after a transient failure (429, 5xx, no answer).</param>
    public GcsClient(BigQuerySettings settings, Func<HttpMessageHandler>? handlers = null, int? uploadChunkSize = null, RetryPolicy? uploadRetry = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        UploadChunkSize = uploadChunkSize;
        UploadRetry = uploadRetry ?? new RetryPolicy(3);
        _client = new(() => BuildAsync(settings, handlers), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public int? UploadChunkSize { get; }

    public RetryPolicy UploadRetry { get; }

    private static async Task<StorageClient> BuildAsync(BigQuerySettings settings, Func<HttpMessageHandler>? handlers)
    {
        var builder = new StorageClientBuilder
        {
            ApplicationName = "analytics",
            // The emulator answers without credentials; Google needs Application Default Credentials.
            UnauthenticatedAccess = settings.StorageEmulator is not null,
            BaseUri = settings.StorageEmulator is { } emulator ? new Uri(emulator, "storage/v1/").ToString() : null,
            HttpClientFactory = handlers is null
                ? null
                : new HttpClientFromMessageHandlerFactory(_ => new HttpClientFromMessageHandlerFactory.ConfiguredHttpMessageHandler(handlers(), false, false)),
        };
        try
        {
            return await builder.BuildAsync();
        }
        catch (InvalidOperationException e)
        {
            throw new BigQueryException(
                "no Google credentials were found for Cloud Storage: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run where the "
                + "metadata server provides them, or point STORAGE_EMULATOR_HOST at an emulator. (" + e.Message + ")", inner: e);
        }
    }

    /// <summary>The objects whose names start with <paramref name="prefix"/>, in name order, following every page.</summary>
    public async Task<IReadOnlyList<GcsObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var client = await _client.Value;
        var objects = new List<GcsObject>();
        await CallAsync($"listing gs://{bucket}/{prefix}", async () =>
        {
            var listing = client.ListObjectsAsync(bucket, prefix, new ListObjectsOptions { Fields = "items(name,size,updated),nextPageToken" });
            await foreach (var item in listing.WithCancellation(cancellationToken))
            {
                objects.Add(new GcsObject(bucket, item.Name, (long)(item.Size ?? 0)) { Updated = item.UpdatedDateTimeOffset ?? DateTimeOffset.UnixEpoch });
                if (objects.Count > MaxObjects)
                {
                    throw new BigQueryException($"gs://{bucket}/{prefix} holds more than {MaxObjects:N0} objects; ingest narrower prefixes (e.g. one per day).");
                }
            }
        });
        return objects.OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Streams an object's bytes into <paramref name="destination"/>.</summary>
    public async Task DownloadAsync(GcsObject source, Stream destination, CancellationToken cancellationToken)
    {
        var client = await _client.Value;
        await CallAsync($"downloading {source}", () => client.DownloadObjectAsync(source.Bucket, source.Name, destination, null, cancellationToken));
    }

    /// <summary>Uploads a local file as <c>gs://bucket/name</c> (replacing an object of that name).</summary>
    public async Task UploadAsync(string file, string bucket, string name, string contentType, CancellationToken cancellationToken)
    {
        var client = await _client.Value;
        // Neither Google's client nor a host's resilience handler retries the POST that opens an upload session: a
        // transient failure sends the whole file again, which replaces the object whole (the name is the same).
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var content = File.OpenRead(file);
                await client.UploadObjectAsync(bucket, name, contentType, content, new UploadObjectOptions { ChunkSize = UploadChunkSize }, cancellationToken);
                return;
            }
            catch (Exception e) when (Transient(e) && attempt < UploadRetry.MaxAttempts)
            {
                await Task.Delay(UploadRetry.Delay(attempt), cancellationToken);
            }
            catch (Exception e) when (e is GoogleApiException or HttpRequestException)
            {
                throw Describe($"uploading {file} to gs://{bucket}/{name}", e);
            }
        }
    }

    private static bool Transient(Exception e) => e switch
    {
        GoogleApiException api => (int)api.HttpStatusCode is 429 or >= 500,
        HttpRequestException => true,
        _ => false,
    };

    private static async Task CallAsync(string what, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (e is GoogleApiException or HttpRequestException)
        {
            throw Describe(what, e);
        }
    }

    /// <summary>A failure of Google's client as an error that says what was being done and what to do.</summary>
    private static BigQueryException Describe(string what, Exception failure) => failure switch
    {
        GoogleApiException e => GoogleRestTransport.Describe(what, (int)e.HttpStatusCode, e.Error?.Errors?.FirstOrDefault()?.Reason, e.Error?.Message ?? e.Message),
        _ => new BigQueryException($"{what}: Cloud Storage did not answer ({failure.Message}); check the network, or STORAGE_EMULATOR_HOST when it is set.",
            inner: failure),
    };
}
