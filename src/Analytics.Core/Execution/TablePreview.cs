namespace Analytics.Core.Execution;

/// <summary>The first rows of an asset's relation, with its columns, as the warehouse returns them.</summary>
public sealed record TablePreview(IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<object?[]> Rows);
