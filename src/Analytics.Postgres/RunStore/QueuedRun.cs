namespace Analytics.Postgres.RunStore;

/// <summary>A run a worker has claimed: what to build, in which order.</summary>
public sealed record QueuedRun(Guid RunId, string Selection, bool ChecksOnly, IReadOnlyList<string> Plan);
