namespace Analytics.Core.Execution;

public static class RunStatusExtensions
{
    /// <summary>Succeeded, failed or canceled: nothing will change the run any more.</summary>
    public static bool IsFinished(this RunStatus status) => status is RunStatus.Succeeded or RunStatus.Failed or RunStatus.Canceled;
}
