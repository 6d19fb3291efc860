using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.Logging;

namespace Analytics.Orchestration;

/// <summary>
/// Clears what a worker killed mid-build leaves in the warehouse (a half-built <c>__building</c> table), at worker
/// start and whenever a dead worker's run is reaped. An asset is touched only while its lock is free and held by
/// us, so a build in progress elsewhere is never disturbed. Each sweep is logged and, for a reaped run, recorded
/// as a <c>build_swept</c> event of that run.
/// </summary>
public sealed class BuildSweeper(AssetProject project, IBuildRecovery warehouse, PostgresAssetLocks locks, RunQueue queue, ILogger<BuildSweeper> logger)
{

    /// <summary>
    /// Sweeps every built asset; returns the keys whose leftovers were dropped. One catalog query finds the
    /// candidates, so a sweep costs one lock per leftover, not one per asset.
    /// </summary>
    public async Task<IReadOnlyList<string>> SweepAsync(IReadOnlyCollection<Guid> reapedRuns, CancellationToken cancellationToken)
    {
        var built = project.Graph.TopologicalOrder.Select(k => project.Graph[k]).Where(a => !a.IsSource).ToList();
        var swept = new List<string>();
        foreach (var asset in await warehouse.FindAbandonedBuildsAsync(built, cancellationToken))
        {
            await using var held = await locks.TryAcquireAsync(asset.Key.Name, cancellationToken);
            if (held is not null && await warehouse.DropAbandonedBuildAsync(asset, cancellationToken))
            {
                swept.Add(asset.Key.Name);
            }
        }

        if (swept.Count > 0)
        {
            var message = $"dropped half-built tables left by a worker that died mid-build: {string.Join(", ", swept)}";
            logger.LogWarning("Swept the warehouse: {Message}", message);
            foreach (var runId in reapedRuns)
            {
                await queue.RecordEventAsync(runId, "build_swept", message, cancellationToken);
            }
        }

        return swept;
    }
}
