namespace Analytics.Core.Execution;

public sealed record ColumnInfo(string Name, string Type);

/// <summary>What the warehouse reports after building or observing an asset; views have no row count.</summary>
public sealed record MaterializationResult(long? Rows, IReadOnlyList<ColumnInfo> Columns);
