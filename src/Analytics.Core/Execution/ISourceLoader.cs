using Analytics.Core.Assets;

namespace Analytics.Core.Execution;

/// <summary>
/// Loads a declared source when it is materialized: a database source extracts its due windows, a folder source
/// ingests its new files. A landing source is loaded by the landing sensor instead, so materializing it only observes it.
/// </summary>
public interface ISourceLoader
{
    /// <summary>Loads <paramref name="source"/> for run <paramref name="runId"/> (nothing, for a source this way does not load).</summary>
    Task LoadAsync(Guid runId, AssetDefinition source, CancellationToken cancellationToken);
}
