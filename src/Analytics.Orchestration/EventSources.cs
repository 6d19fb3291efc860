using Analytics.Core.Assets;
using Analytics.Ingest;
using Analytics.Warehouse.BigQuery;

namespace Analytics.Orchestration;

/// <summary>One file to ingest: a local path, or an object in a bucket that is downloaded before it is read.</summary>
public sealed record EventSource(string Path, GcsObject? Object)
{
    /// <summary>
    /// Ingests this source: a local file directly; an object streamed to a temporary file first (so it is hashed and
    /// validated exactly as a local file is), recorded under its <c>gs://</c> address, then deleted.
    /// </summary>
    public async Task<IngestResult> IngestAsync(ISourceIngestor ingestor, AssetDefinition source, GcsClient? storage, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        if (Object is null)
        {
            return await ingestor.IngestAsync(source, Path, Path, progress, cancellationToken);
        }

        var local = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"analytics-gcs-{Guid.NewGuid():N}{System.IO.Path.GetExtension(Object.Name)}");
        try
        {
            await using (var file = new FileStream(local, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await storage!.DownloadAsync(Object, file, cancellationToken);
            }

            return await ingestor.IngestAsync(source, local, Path, progress, cancellationToken);
        }
        finally
        {
            File.Delete(local);
        }
    }
}

public static class EventSources
{
    /// <summary>
    /// Local files and folders (their files of <paramref name="extension"/>, <c>.csv</c> by default, in name order) and
    /// <c>gs://bucket/prefix</c> addresses: the object of exactly that name, else every such object under the prefix,
    /// listed page by page, in name order.
    /// </summary>
    public static async Task<IReadOnlyList<EventSource>> ExpandAsync(IEnumerable<string> paths, Func<GcsClient> storage, CancellationToken cancellationToken,
        string extension = ".csv")
    {
        var sources = new List<EventSource>();
        foreach (var path in paths)
        {
            if (!GcsUri.IsGcs(path))
            {
                sources.AddRange(SourceIngestor.ExpandPaths([path], extension).Select(p => new EventSource(p, null)));
                continue;
            }

            var address = GcsUri.Parse(path, "the path");
            var objects = await storage().ListAsync(address.Bucket, address.Name, cancellationToken);
            var exact = objects.Where(o => o.Name == address.Name).ToList();
            var chosen = exact.Count > 0 ? exact : objects.Where(o => o.Name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)).ToList();
            if (chosen.Count == 0)
            {
                throw new FileNotFoundException(
                    $"{path}: no object of that name and no *{extension} objects under it ({objects.Count} object(s) listed); give a {extension} object or a prefix holding some.", path);
            }

            sources.AddRange(chosen.Select(o => new EventSource(o.ToString(), o)));
        }

        return sources;
    }
}
