using Analytics.Core.Execution;

namespace Analytics.Superset;

/// <summary>A mart as the catalog knows it: where it lives, what it means and its columns with their types.</summary>
public sealed record MartTable(string Name, string Schema, string Description, IReadOnlyList<ColumnInfo> Columns);
