namespace Analytics.Core.Execution;

/// <summary>
/// Keeps two runs from building the same asset at once. <see cref="AcquireAsync"/> returns when the asset is
/// free; <paramref name="onWait"/> is called once if it first has to wait.
/// </summary>
public interface IAssetLocks
{
    Task<IAsyncDisposable> AcquireAsync(string assetKey, Func<string, Task> onWait, CancellationToken cancellationToken);

    /// <summary>The asset's lock if nobody holds it now; null at once otherwise.</summary>
    Task<IAsyncDisposable?> TryAcquireAsync(string assetKey, CancellationToken cancellationToken);
}
