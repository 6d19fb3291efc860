namespace Analytics.RunStore;

/// <summary>
/// What the run store knows of one asset: its latest materialization, its latest finished step, its latest check
/// results, and whether a running run is building it now.
/// </summary>
public sealed record AssetStatus(string AssetKey, DateTimeOffset? MaterializedAt, long? Rows, string? LastStepStatus, int ChecksPassed, int ChecksRun,
    bool Running = false);
