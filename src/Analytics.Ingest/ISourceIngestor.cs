using Analytics.Core.Assets;

namespace Analytics.Ingest;

/// <summary>Loads one file of a declared file source into the warehouse's <c>raw.KEY</c>, once per content (by SHA-256).</summary>
public interface ISourceIngestor
{
    /// <summary>
    /// Ingests the local <paramref name="file"/> into <paramref name="source"/>, recorded (in the manifest and the rejected
    /// rows) as <paramref name="path"/>.
    /// </summary>
    Task<IngestResult> IngestAsync(AssetDefinition source, string file, string path, IProgress<long>? progress, CancellationToken cancellationToken);
}
