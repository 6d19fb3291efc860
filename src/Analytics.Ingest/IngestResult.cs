namespace Analytics.Ingest;

/// <summary>What happened to one file. <c>RowsRead = RowsLoaded + RowsRejected</c> always holds.</summary>
public sealed record IngestResult(string FilePath, long FileId, bool AlreadyIngested, long RowsRead, long RowsLoaded, long RowsRejected, TimeSpan Duration);
