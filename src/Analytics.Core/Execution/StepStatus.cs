namespace Analytics.Core.Execution;

public enum StepStatus
{
    Succeeded,
    /// <summary>Built, but an error-severity check failed; downstream is skipped.</summary>
    CheckFailed,
    Failed,
    Skipped,
}
