using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Analytics.Warehouse.BigQuery;

/// <summary>An object in a bucket, as <c>objects.list</c> describes it.</summary>
public sealed record GcsObject(string Bucket, string Name, long Size)
{
    /// <summary>When the object was last written (<c>updated</c>).</summary>
    public DateTimeOffset Updated { get; init; }

    public override string ToString() => $"gs://{Bucket}/{Name}";
}

/// <summary>
/// The Cloud Storage JSON API calls ingest uses: <c>objects.list</c> followed page by page, media download
/// (<c>alt=media</c>) streamed to a stream, and media upload (<c>uploadType=media</c>) of a file. Retries and error
/// messages come from <see cref="GoogleRestTransport"/>.
/// </summary>
public sealed class GcsClient(GoogleRestTransport transport, BigQuerySettings settings)
{
    /// <summary>At most this many objects under one prefix: a larger landing zone is ingested by narrower prefixes.</summary>
    public const int MaxObjects = 100_000;

    /// <summary>The objects whose names start with <paramref name="prefix"/>, in name order, following every page.</summary>
    public async Task<IReadOnlyList<GcsObject>> ListAsync(string bucket, string prefix, CancellationToken cancellationToken)
    {
        var objects = new List<GcsObject>();
        string? pageToken = null;
        do
        {
            var uri = new Uri(settings.StorageBase, $"storage/v1/b/{Uri.EscapeDataString(bucket)}/o?prefix={Uri.EscapeDataString(prefix)}"
                                                   + "&fields=items(name,size,updated),nextPageToken"
                                                   + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken)));
            var page = await transport.SendJsonAsync(HttpMethod.Get, uri, null, $"listing gs://{bucket}/{prefix}", cancellationToken);
            foreach (var item in page?["items"] as JsonArray ?? [])
            {
                var size = long.TryParse(item?["size"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var n) ? n : 0;
                var updated = DateTimeOffset.TryParse(item?["updated"]?.GetValue<string>(), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal, out var when) ? when : DateTimeOffset.UnixEpoch;
                objects.Add(new GcsObject(bucket, item!["name"]!.GetValue<string>(), size) { Updated = updated });
            }

            if (objects.Count > MaxObjects)
            {
                throw new BigQueryException($"gs://{bucket}/{prefix} holds more than {MaxObjects:N0} objects; ingest narrower prefixes (e.g. one per day).");
            }

            pageToken = page?["nextPageToken"]?.GetValue<string>();
        }
        while (pageToken is not null);

        return objects.OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>Streams an object's bytes into <paramref name="destination"/>.</summary>
    public async Task DownloadAsync(GcsObject source, Stream destination, CancellationToken cancellationToken)
    {
        var uri = new Uri(settings.StorageBase, $"storage/v1/b/{Uri.EscapeDataString(source.Bucket)}/o/{Uri.EscapeDataString(source.Name)}?alt=media");
        using var response = (await transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, uri), $"downloading {source}", cancellationToken,
            completion: HttpCompletionOption.ResponseHeadersRead))!;
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await body.CopyToAsync(destination, cancellationToken);
    }

    /// <summary>Uploads a local file as <c>gs://bucket/name</c> (replacing an object of that name).</summary>
    public async Task UploadAsync(string file, string bucket, string name, string contentType, CancellationToken cancellationToken)
    {
        var uri = new Uri(settings.StorageBase, $"upload/storage/v1/b/{Uri.EscapeDataString(bucket)}/o?uploadType=media&name={Uri.EscapeDataString(name)}");
        using var response = await transport.SendAsync(() =>
        {
            // A fresh stream per attempt, so a retried upload sends the whole file again.
            var content = new StreamContent(File.OpenRead(file), 1 << 16);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            return new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        }, $"uploading {file} to gs://{bucket}/{name}", cancellationToken);
    }
}
