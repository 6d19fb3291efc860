using Analytics.Core.Templating;

namespace Analytics.Core.Assets;

/// <summary>How an interval-tracked incremental asset writes what changed.</summary>
public enum IncrementalStrategy
{
    /// <summary>The affected partitions (or keys) are deleted and rebuilt in one transaction.</summary>
    Replace,

    /// <summary>Only rows whose <c>unique_key</c> is not in the table yet are inserted; rows already there are kept (first copy wins).</summary>
    InsertNew,

    /// <summary>dbt's plain append, for an incremental asset without partitions: its SQL selects what is new itself.</summary>
    Append,
}

/// <summary>
/// The header of an interval-tracked incremental asset: what its partitions are, how far back late data is expected,
/// and which partitions a change upstream touches. An asset with <c>materialization: incremental</c> and neither
/// <c>partition_by</c> nor <c>unique_key</c> keeps dbt's plain append (its SQL filters itself with <c>is_incremental()</c>).
/// </summary>
/// <param name="PartitionBy">The date column whose day, week or month is the unit of replacement; null for key partitions.</param>
/// <param name="Grain">The partition grain of <paramref name="PartitionBy"/>.</param>
/// <param name="Lookback">How many partitions before the newest are expected to receive late data; older changes are restatements.</param>
/// <param name="UniqueKey">The key column: the unit of replacement when there is no <paramref name="PartitionBy"/>, the identity for <see cref="IncrementalStrategy.InsertNew"/>.</param>
/// <param name="Affected">SQL (a template) listing the partition starts or keys a change touches; null for the default, those of the changed source rows.</param>
public sealed record IncrementalSpec(
    string? PartitionBy, DatePart Grain, int Lookback, string? UniqueKey, IncrementalStrategy Strategy, string? Affected)
{
    /// <summary>
    /// The column a write matches on: the key for insert_new (the partition column only narrows the probe); for a
    /// replacement, the partition column, else the key.
    /// </summary>
    public string Column => Strategy == IncrementalStrategy.InsertNew ? UniqueKey! : PartitionBy ?? UniqueKey!;

    public bool ByDate => PartitionBy is not null;

    /// <summary>
    /// Whether a change to a partition also changes every partition after it (running totals, a period compared with
    /// the one before): the earliest affected partition and every built one from there on are rebuilt.
    /// </summary>
    public bool AffectsLater { get; init; }

    /// <summary>
    /// Every column of the key, <see cref="UniqueKey"/> first (alone, or for insert_new with up to three more that
    /// together name a row); empty without a key.
    /// </summary>
    public IReadOnlyList<string> KeyColumns { get; init; } = [];
}
