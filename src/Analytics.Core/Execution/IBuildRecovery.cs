using Analytics.Core.Assets;

namespace Analytics.Core.Execution;

/// <summary>Clearing what a build whose process died left behind.</summary>
public interface IBuildRecovery
{
    /// <summary>
    /// Of <paramref name="assets"/>, those with something left behind by a build whose process died (a half-built
    /// table under a temporary name), found in one look at the catalog whatever the number of assets.
    /// </summary>
    Task<IReadOnlyList<AssetDefinition>> FindAbandonedBuildsAsync(IReadOnlyCollection<AssetDefinition> assets, CancellationToken cancellationToken);

    /// <summary>
    /// Drops what a build of <paramref name="asset"/> left behind when its process died mid-build (a half-built
    /// table under a temporary name); true when there was something. Call it only while holding the asset's lock.
    /// </summary>
    Task<bool> DropAbandonedBuildAsync(AssetDefinition asset, CancellationToken cancellationToken);
}
