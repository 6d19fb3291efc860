namespace Analytics.Core.Execution;

/// <summary>
/// Where interval-tracked incremental assets record what they have built (the run store): per asset the source load
/// it is current with and the definitions it was built from, and per date partition when and why it was built.
/// </summary>
public interface IIntervalStore
{
    Task<IncrementalState?> GetAsync(string assetKey, CancellationToken cancellationToken);

    /// <summary>The partition starts recorded as built, in order.</summary>
    Task<IReadOnlyList<DateOnly>> BuiltPartitionsAsync(string assetKey, CancellationToken cancellationToken);

    /// <summary>
    /// Records a build: the new state and the partitions built (all partitions of the asset when
    /// <paramref name="replaceAll"/>, a full build).
    /// </summary>
    Task RecordAsync(string assetKey, Guid runId, IncrementalState state, IReadOnlyList<PartitionBuild> partitions, bool replaceAll,
        CancellationToken cancellationToken);
}

/// <summary>What an incremental asset was last built from: the source's load id and a hash of its and its upstream's definitions.</summary>
public sealed record IncrementalState(long LoadId, string LineageHash)
{
    /// <summary>The rows its table held after that build, so the next incremental one knows the size without a count; null when not recorded.</summary>
    public long? TableRows { get; init; }
}

/// <summary>One partition an incremental build wrote, and why.</summary>
public sealed record PartitionBuild(DateOnly Start, PartitionReason Reason);

public enum PartitionReason
{
    /// <summary>A full build (first, requested, or after a definition changed).</summary>
    Full,

    /// <summary>Newer than every partition built before.</summary>
    New,

    /// <summary>Late data within the asset's lookback.</summary>
    Late,

    /// <summary>Late data older than the lookback: still rebuilt (so the table stays right), and recorded as a restatement.</summary>
    Restated,

    /// <summary>A partition missing from the record between built ones.</summary>
    Gap,

    /// <summary>Rebuilt by <c>analytics backfill</c>.</summary>
    Backfill,

    /// <summary>After a changed partition of an asset with <c>affects_later: true</c>: its rows depend on the ones before.</summary>
    Following,
}
