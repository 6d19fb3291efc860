using Analytics.Core.Assets;

namespace Analytics.Core.Execution;

/// <summary>Building assets: the schemas and source tables, a table or view swapped in whole or written incrementally, a snapshot's history, and what a built table or a source holds.</summary>
public interface IWarehouseBuilder : IWarehouseDialect
{
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

    /// <summary>The rows the asset's table holds now, counted (a scan where the warehouse keeps no exact count).</summary>
    Task<long> CountRowsAsync(AssetDefinition asset, CancellationToken cancellationToken);

    /// <summary>
    /// Reads what a source asset holds now, without changing it: its size counts the loads up to <paramref name="upTo"/>
    /// (the run's watermark; every load when null). With <paramref name="since"/> (its size when last observed, and the
    /// loads that size covered) a warehouse that records each load's rows may take the size as that plus the rows of
    /// the loads after it instead of counting the table.
    /// </summary>
    Task<MaterializationResult> ObserveAsync(AssetDefinition asset, SourceSize? since, long? upTo, CancellationToken cancellationToken);
}

/// <summary>A source's size as last observed: <paramref name="Rows"/>, the rows of its loads up to <paramref name="AsOf"/>.</summary>
public sealed record SourceSize(long Rows, long AsOf);
