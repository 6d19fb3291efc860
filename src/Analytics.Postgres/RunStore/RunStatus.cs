namespace Analytics.Postgres.RunStore;

/// <summary>The states of a run in <c>runstore.runs.status</c>.</summary>
public static class RunStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Canceled = "canceled";

    public static bool IsFinished(string status) => status is Succeeded or Failed or Canceled;
}
