namespace Analytics.Core.Execution;

/// <summary>
/// One run of a snapshot: the time it stands at (a check-strategy version, a delete and a returning key start then)
/// and the load its inputs had taken in, stamped on the versions it opens and closes.
/// </summary>
/// <param name="Rebuild">Drop the history and start it over (<c>--rebuild-snapshots</c>); never implied by a full refresh.</param>
public sealed record SnapshotWrite(DateTimeOffset At, long LoadId, bool Rebuild = false);
