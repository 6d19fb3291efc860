namespace Analytics.Core.Execution;

public sealed record ColumnInfo(string Name, string Type);

/// <summary>
/// What the warehouse reports after building or observing an asset: <see cref="Rows"/> written (or, for a source,
/// held), and the columns. Views have no row count.
/// </summary>
public sealed record MaterializationResult(long? Rows, IReadOnlyList<ColumnInfo> Columns)
{
    /// <summary>The rows the table holds afterwards, where the write tells it (a whole build, a source); null for an incremental write.</summary>
    public long? TableRows { get; init; }

    /// <summary>For an incremental write, rows inserted less rows deleted: the table's size moves by this much.</summary>
    public long? Delta { get; init; }
}
