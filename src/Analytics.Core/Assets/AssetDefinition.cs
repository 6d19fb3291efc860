namespace Analytics.Core.Assets;

/// <summary>One declared asset: its header metadata, its SQL template and where it came from.</summary>
public sealed record AssetDefinition(
    AssetKey Key,
    string Layer,
    Materialization Materialization,
    string Description,
    IReadOnlyList<string> Tags,
    string? Owner,
    IReadOnlyList<CheckDefinition> Checks,
    string Sql,
    string SourcePath,
    int SqlFirstLine,
    IReadOnlyList<AssetKey> Dependencies,
    TimeSpan? FreshnessMaxAge = null)
{
    /// <summary>
    /// <c>partition_by</c>: the date column a warehouse that partitions tables (BigQuery) partitions this one by, by
    /// day. PostgreSQL builds the table whole.
    /// </summary>
    public string? PartitionBy { get; init; }

    /// <summary><c>cluster_by</c>: up to four columns a warehouse that clusters tables (BigQuery) sorts this one's storage by.</summary>
    public IReadOnlyList<string> ClusterBy { get; init; } = [];

    /// <summary>The warehouse schema (PostgreSQL) or dataset (BigQuery) the asset lives in.</summary>
    public string Schema => Layer;

    public bool IsSource => Materialization == Materialization.Source;
}
