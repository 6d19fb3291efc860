namespace Analytics.Core.Sources;

/// <summary>Where a source's rows come from.</summary>
public abstract record SourceOrigin;

/// <summary>The file formats a file source may read.</summary>
public enum SourceFileFormat
{
    Csv,
    Jsonl,
    Xlsx,
}

/// <summary>
/// Files of one format: <see cref="Location"/> is <c>landing</c> (the landing folder, where the sensor finds them), a
/// folder relative to the project, or a <c>gs://</c> prefix. <see cref="Sheet"/> picks a spreadsheet's sheet (the first
/// when null), <see cref="HeaderRow"/> its 1-based header row.
/// </summary>
public sealed record FileOrigin(string Location, SourceFileFormat Format, string? Sheet = null, int HeaderRow = 1) : SourceOrigin
{
    public const string Landing = "landing";

    /// <summary>The file name ending this origin's files have.</summary>
    public string Extension => "." + Format.ToString().ToLowerInvariant();
}

/// <summary>
/// A table or query of a database named by its connection string <c>ConnectionStrings__{Connection}</c>, read window by
/// window above a stored watermark: rows with <c>(Watermark, key) &gt;</c> the last read, up to <see cref="Lag"/>
/// behind the source's clock, <see cref="Window"/> at a time.
/// </summary>
public sealed record DatabaseOrigin(string Connection, string? Table, string? Query, string Watermark, TimeSpan Window, TimeSpan Lag) : SourceOrigin
{
    /// <summary>Rows read in one window at most; the next window goes on from the last (watermark, key) read.</summary>
    public long MaxRowsPerWindow { get; init; } = 5_000_000;
}
