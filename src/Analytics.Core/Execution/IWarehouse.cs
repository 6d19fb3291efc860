using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>
/// The one small interface each warehouse adapter implements. Everything above it (executor, API, CLI) speaks only
/// through it; an adapter is registered once in DI (<c>AddPostgresWarehouse</c>) and nothing else names it.
/// </summary>
public interface IWarehouse
{
    ISqlDialect Dialect { get; }

    /// <summary>Creates the layer schemas and the declared <paramref name="sources"/>' tables if they are missing; safe to call from many processes at once.</summary>
    Task EnsureSchemaAsync(IReadOnlyCollection<AssetDefinition> sources, CancellationToken cancellationToken);

    Task<bool> RelationExistsAsync(string schema, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Builds the asset from <paramref name="compiledSql"/>. A table is built under a temporary name and swapped
    /// in atomically, so a failure leaves the previous table as it was. With <paramref name="incremental"/>, the
    /// rows are written into the existing table as it says, in one transaction.
    /// </summary>
    Task<MaterializationResult> MaterializeAsync(AssetDefinition asset, string compiledSql, IncrementalWrite? incremental, CancellationToken cancellationToken);

    /// <summary>
    /// Adds to the history of a snapshot what its source (<paramref name="compiledSql"/>) says changed, in one
    /// transaction or statement: the versions that end are closed, the new ones inserted. A source with a null or
    /// repeated key is refused whole. The table is made the first time, and dropped first only when
    /// <paramref name="write"/> says rebuild.
    /// </summary>
    Task<MaterializationResult> SnapshotAsync(AssetDefinition asset, string compiledSql, SnapshotWrite write, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the distinct rows of <paramref name="sql"/> (an incremental build's affected keys) to a scratch table
    /// beside the asset, <c>{key}__affected</c>, replacing an earlier one, and returns a subquery reading it: the keys
    /// are worked out once, and the planner knows how many there are, instead of guessing at a subquery in every
    /// statement and check.
    /// </summary>
    Task<string> StageAffectedAsync(AssetDefinition asset, string sql, CancellationToken cancellationToken);

    /// <summary>
    /// The distinct non-null dates in the first column of <paramref name="sql"/>, at most <paramref name="limit"/> + 1 of
    /// them: a caller that gets more than <paramref name="limit"/> knows there are too many to list.
    /// </summary>
    Task<IReadOnlyList<DateOnly>> QueryDatesAsync(string sql, int limit, CancellationToken cancellationToken);

    /// <summary>The rows the asset's table holds now, counted (a scan where the warehouse keeps no exact count).</summary>
    Task<long> CountRowsAsync(AssetDefinition asset, CancellationToken cancellationToken);

    /// <summary>Reads what a source asset holds now, without changing it.</summary>
    Task<MaterializationResult> ObserveAsync(AssetDefinition asset, CancellationToken cancellationToken);

    /// <summary>
    /// Counts the rows of <paramref name="failingRowsSql"/> and returns up to <paramref name="sampleSize"/> of them.
    /// <paramref name="wholeTable"/>: the query reads whole tables, so a warehouse that can plans it as scans.
    /// </summary>
    Task<CheckOutcome> QueryFailuresAsync(string failingRowsSql, int sampleSize, CancellationToken cancellationToken, bool wholeTable = false);

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
