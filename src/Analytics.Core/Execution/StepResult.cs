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
    public bool Blocks => Status != StepStatus.Succeeded;
}
