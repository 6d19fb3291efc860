namespace Analytics.Ingest;

/// <summary>Loads one event file into the warehouse's <c>raw.raw_events</c>, once per content (by SHA-256).</summary>
public interface IEventIngestor
{
    /// <summary>Ingests the local <paramref name="file"/>, recorded (in the manifest and the rejected rows) as <paramref name="path"/>.</summary>
    Task<IngestResult> IngestAsync(string file, string path, IProgress<long>? progress, CancellationToken cancellationToken);
}
