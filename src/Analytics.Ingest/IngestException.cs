namespace Analytics.Ingest;

/// <summary>A file refused whole (unreadable header, bytes that are not UTF-8); nothing of it was loaded.</summary>
public sealed class IngestException(string path, long line, string problem)
    : Exception($"{path}:{line}: {problem}. Nothing from this file was loaded.")
{
    public string FilePath { get; } = path;

    public long Line { get; } = line;
}
