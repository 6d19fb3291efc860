namespace Analytics.Core.Execution;

/// <summary>The states of a run; stored and shown as its <see cref="WireName"/> (<c>queued</c>, <c>succeeded</c>, ...).</summary>
public enum RunStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Canceled,
}
