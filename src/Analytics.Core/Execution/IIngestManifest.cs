namespace Analytics.Core.Execution;

/// <summary>One load of a source: a file, or a database window with rows.</summary>
public sealed record SourceLoad(long LoadId, string Path, long RowsLoaded, long RowsRejected, long Bytes, DateTimeOffset At);

/// <summary>A source's latest loads, and the rows loaded and rejected over all its loads.</summary>
public sealed record SourceLoads(IReadOnlyList<SourceLoad> Latest, long TotalLoaded, long TotalRejected)
{
    public static readonly SourceLoads None = new([], 0, 0);
}

/// <summary>Where a database source's extraction stands: the next window's start, the last (watermark, key) read, when it moved.</summary>
public sealed record SourcePosition(string? Position, IReadOnlyList<string>? Cursor, DateTimeOffset UpdatedAt);

/// <summary>
/// The record of what each source loaded (one entry per file or database window) and where each database source's
/// extraction stands. It lives in PostgreSQL whichever the warehouse: in the warehouse itself, or (BigQuery) in the run
/// store's database; the adapter registers the one it writes.
/// </summary>
public interface IIngestManifest : ISourceWatermark
{
    /// <summary>The newest <paramref name="limit"/> loads of <paramref name="source"/>, newest first, with its totals; none before its first load.</summary>
    Task<SourceLoads> LoadsAsync(string source, int limit, CancellationToken cancellationToken);

    /// <summary>Where the extraction of <paramref name="source"/> stands; null before its first window.</summary>
    Task<SourcePosition?> PositionAsync(string source, CancellationToken cancellationToken);
}
