namespace Analytics.Ingest;

/// <summary>
/// One committed window of a database extraction: the watermark range read (<see cref="From"/> inclusive,
/// <see cref="To"/> exclusive, as text), rows loaded and rejected, characters read, the load id it wrote (null for an
/// empty window), and a warning to say once (source columns the declaration does not name).
/// </summary>
public sealed record ExtractedWindow(string Source, string From, string To, long Rows, long Rejected, long Bytes, TimeSpan Duration, long? LoadId,
    string? Warning = null);
