using Analytics.Core.Execution;

namespace Analytics.RunStore;

/// <summary>A run a worker has claimed: what to build, in which order.</summary>
public sealed record QueuedRun(Guid RunId, string Selection, RunKind Kind, IReadOnlyList<string> Plan)
{
    /// <summary>The W3C traceparent of the request that queued it, when it was queued inside a trace.</summary>
    public string? TraceParent { get; init; }

    /// <summary>How its incremental assets build: as changed (the default), whole, or a date range.</summary>
    public BuildOptions Build { get; init; } = BuildOptions.Default;
}
