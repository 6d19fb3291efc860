namespace Analytics.Core.Execution;

public enum StepStatus
{
    Succeeded,
    /// <summary>Built, but an error-severity check failed; downstream is skipped.</summary>
    CheckFailed,
    Failed,
    Skipped,

    /// <summary>The run was canceled before or while this step ran; its table is as it was.</summary>
    Canceled,
}
