namespace Analytics.RunStore;

/// <summary>
/// What the run store knows of one asset: its latest materialization, its latest finished step, its latest check
/// results, and whether a running run is building it now.
/// </summary>
/// <param name="Rows">The rows its table holds (null for a view, or a build recorded before sizes were).</param>
/// <param name="RowsWritten">The rows its latest materialization wrote: all of them for a whole build, the changed ones for an incremental one.</param>
public sealed record AssetStatus(string AssetKey, DateTimeOffset? MaterializedAt, long? Rows, string? LastStepStatus, int ChecksPassed, int ChecksRun,
    bool Running = false, long? RowsWritten = null)
{
    /// <summary>
    /// When a run last built it or found it up to date (nothing new upstream, no definition changed): what its data
    /// reflects is as of then, which is what its <c>freshness: {max_age}</c> measures.
    /// </summary>
    public DateTimeOffset? UpToDateAt { get; init; }
}
