using Analytics.Core.Assets;
using Analytics.Ingest;
using Analytics.Warehouse.BigQuery;

namespace Analytics.Orchestration;

/// <summary>One file to ingest: a local path, or an object in a bucket that is downloaded before it is read.</summary>
public sealed record SourceFile(string Path, GcsObject? Object)
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
