using Analytics.Core.Access;
using Analytics.Core.Assets;

namespace Analytics.Core.Execution;

/// <summary>Reading built assets for the API, as a principal's scope may see them.</summary>
public interface IWarehouseReader : IWarehouseDialect
{
    /// <summary>
    /// Up to <paramref name="limit"/> rows of the asset's relation, under a short time limit, as <paramref name="scope"/>
    /// may see them (its masked columns masked); null when it was never built.
    /// </summary>
    Task<TablePreview?> PreviewAsync(AssetDefinition asset, int limit, ReadScope scope, CancellationToken cancellationToken);

    /// <summary>
    /// Answers <paramref name="query"/> on the asset's relation as <paramref name="scope"/> may see it, or null when it
    /// has not been built. Throws <see cref="TableQueryException"/> for a column the relation lacks or a value its
    /// column cannot hold.
    /// </summary>
    Task<TableRows?> QueryAsync(AssetDefinition asset, TableQuery query, ReadScope scope, CancellationToken cancellationToken);
}
