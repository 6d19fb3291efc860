namespace Analytics.Core.Execution;

/// <summary>
/// The highest load id whose rows are all committed (raw_events' file_id, from the ingest manifest): a run covers
/// the loads up to it, and a load still in flight is left whole to the next run.
/// </summary>
public interface ISourceWatermark
{
    Task<long> CurrentAsync(CancellationToken cancellationToken);
}
