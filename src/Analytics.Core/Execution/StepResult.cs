namespace Analytics.Core.Execution;

/// <summary>What happened to one asset in a run.</summary>
public sealed record StepResult(
    string AssetKey,
    StepStatus Status,
    long? Rows,
    TimeSpan Duration,
    string? Error,
    IReadOnlyList<ColumnInfo> Columns,
    string? SqlHash,
    IReadOnlyList<CheckResult> Checks)
{
    /// <summary>For an interval-tracked incremental asset: whether it was built whole, by partition, or was up to date.</summary>
    public IncrementalBuild? Incremental { get; init; }

    /// <summary>The rows the asset's table holds after the step (<see cref="Rows"/> is what it wrote); null for a view or when unknown.</summary>
    public long? TableRows { get; init; }

    /// <summary>The statements the step sent to the warehouse, with their timings (<see cref="StatementLog"/>), in the order they started.</summary>
    public IReadOnlyList<StatementTiming> Statements { get; init; } = [];

    public bool Blocks => Status != StepStatus.Succeeded;
}
