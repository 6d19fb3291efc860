namespace Analytics.RunStore;

/// <summary>What the run store knows of one asset: its latest materialization and its latest check results.</summary>
public sealed record AssetStatus(string AssetKey, DateTimeOffset? MaterializedAt, long? Rows, string? LastStepStatus, int ChecksPassed, int ChecksRun);
