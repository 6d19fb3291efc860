using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>
/// How a warehouse writes an incremental build into the existing table, atomically: replace the rows of the
/// affected partitions or keys, insert only unseen keys, or append.
/// </summary>
/// <param name="Column">The partition column (or key) the affected values are of.</param>
/// <param name="Grain">The partition grain; a week or month partition is the truncation of <paramref name="Column"/>.</param>
/// <param name="Affected">A parenthesised list of partition starts, or a subquery of keys.</param>
/// <param name="ProbeColumn">For <see cref="IncrementalStrategy.InsertNew"/>: a column equal on duplicates (the partition column) that narrows the search for an existing key.</param>
public sealed record IncrementalWrite(IncrementalStrategy Strategy, string Column, DatePart Grain, string Affected, string? ProbeColumn = null)
{
    /// <summary>For <see cref="IncrementalStrategy.InsertNew"/>: every key column a row is matched on (<see cref="Column"/> alone unless the key has several).</summary>
    public IReadOnlyList<string> MatchColumns { get => field.Count > 0 ? field : [Column]; init; } = [];

    /// <summary>
    /// Whether the build's SQL reads the table it writes (<c>{{ this }}</c>: stored rows merged with what is new): it is
    /// then computed before the rows it replaces are deleted.
    /// </summary>
    public bool ReadsTarget { get; init; }

    /// <summary>
    /// For a replace over date partitions: the columns that identify a row within its partition (the partition column
    /// first). With them a warehouse writes only what differs: a stored row that reads the same as the incoming row of
    /// its key stays, the others are deleted, and the incoming rows whose key is not left are inserted.
    /// </summary>
    public IReadOnlyList<string> RowKey { get; init; } = [];

    /// <summary>The condition that an existing row matches an incoming one on the key (and the probe column).</summary>
    public string Matches(string existing, string incoming, string and = "and") =>
        Equal(MatchColumns.Concat(ProbeColumn is { } probe ? [probe] : []), existing, incoming, and);

    /// <summary>The condition that two rows, by their aliases, have the same <see cref="RowKey"/>.</summary>
    public string SameRowKey(string existing, string incoming) => Equal(RowKey, existing, incoming, "and");

    private static string Equal(IEnumerable<string> columns, string existing, string incoming, string and) =>
        string.Join($" {and} ", columns.Select(c => $"{existing}.{c} = {incoming}.{c}"));

    /// <summary>
    /// For <see cref="IncrementalStrategy.InsertNew"/> over date partitions: the condition that a row, by its alias, is in
    /// an affected partition, joined with <paramref name="and"/> (empty for a build by key). Put on both sides, it lets a
    /// warehouse look for existing keys in those partitions only, not the whole table; a row the build returns outside
    /// them is not written (the partitions of every changed day are affected).
    /// </summary>
    public string InPartitions(string alias, ISqlDialect dialect, string and = "and") =>
        ProbeColumn is { } probe ? $" {and} {Predicate($"{alias}.{probe}", dialect)}" : "";

    public static readonly IncrementalWrite Append = new(IncrementalStrategy.Append, "", DatePart.Day, "");

    /// <summary>The condition that a row, its column named <paramref name="column"/>, is in an affected partition.</summary>
    public string Predicate(string column, ISqlDialect dialect) =>
        $"{(Grain == DatePart.Day ? column : dialect.DateTrunc(Grain, column))} in {Affected}";
}
