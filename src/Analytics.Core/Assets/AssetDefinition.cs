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
    /// day; on an incremental asset also its unit of replacement; on a source, the timestamp whose UTC day dates a row.
    /// </summary>
    public string? PartitionBy { get; init; }

    /// <summary><c>cluster_by</c>: up to four columns a warehouse that clusters tables (BigQuery) sorts this one's storage by.</summary>
    public IReadOnlyList<string> ClusterBy { get; init; } = [];

    /// <summary><c>indexes</c>: column lists PostgreSQL indexes after each full build (BigQuery clusters instead).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Indexes { get; init; } = [];

    /// <summary>
    /// The indexes a warehouse that indexes tables (PostgreSQL) builds after a full build: for an incremental asset
    /// first the column its builds delete and probe by, then the header's. That first index carries the rest of the
    /// key it is unique on (an insert_new key, or a unique check naming the partition column), so the unique check can
    /// read it in order instead of sorting the table (at 10 M events: 7.3 s to 0.9 s for user_activity_periods), and
    /// an incremental build's check of the days it wrote reads a range of it.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> TableIndexes
    {
        get
        {
            var indexes = Indexes.ToList();
            if (Incremental is { } spec)
            {
                var partitionKey = PartitionKey;
                indexes.Insert(0, spec switch
                {
                    { Strategy: IncrementalStrategy.InsertNew, PartitionBy: { } part } => [part, .. spec.KeyColumns],
                    _ when partitionKey.Count > 0 => partitionKey,
                    _ => [spec.Column],
                });
            }

            return indexes.DistinctBy(columns => string.Join(",", columns)).ToList();
        }
    }

    /// <summary>
    /// For an incremental table replaced by date partitions: the partition column and the rest of the first unique
    /// check that names it (<c>user_activity_days</c>: activity_date, tenant_id, user_id), which identify a row within
    /// its partition; empty when no such check is declared. With it, an incremental build rewrites only the rows that
    /// changed, not every row of a re-opened partition.
    /// </summary>
    public IReadOnlyList<string> PartitionKey =>
        Incremental is { Strategy: not IncrementalStrategy.InsertNew, PartitionBy: { } part }
        && Checks.FirstOrDefault(c => c.Kind == CheckKind.Unique && c.Columns.Contains(part)) is { } unique
            ? [part, .. unique.Columns.Where(c => c != part)]
            : [];

    /// <summary>
    /// The dependencies only this asset's checks read (a relationships check's <c>to</c>, a ref() in a check's SQL), not
    /// its SQL: its build need not wait for them, only its checks do, as dbt runs a test once the models it reads are
    /// built. fct_events' build thus runs beside dim_users' instead of after it.
    /// </summary>
    public IReadOnlyList<AssetKey> CheckDependencies { get; init; } = [];

    /// <summary>What this asset's SQL reads: its dependencies but those only its checks read.</summary>
    public IEnumerable<AssetKey> Inputs => Dependencies.Except(CheckDependencies);

    /// <summary>
    /// <c>load_id</c> on a source: a column that grows with every load (raw_events' file_id), so the rows a load added
    /// are those above the last id an incremental asset was built from.
    /// </summary>
    public string? LoadId { get; init; }

    /// <summary>
    /// <c>classification</c>: columns and their class (<c>pii</c>). Such a column comes back masked to a principal
    /// without the class's permission and is left out of what the Superset role may read.
    /// </summary>
    public IReadOnlyDictionary<string, string> Classification { get; init; } = new Dictionary<string, string>();

    /// <summary>A loadable source's declaration (columns, rules, where its rows come from); null for models and observed-only sources.</summary>
    public Sources.SourceDeclaration? Source { get; init; }

    /// <summary>The partitions and change tracking of an interval-tracked incremental asset; null otherwise.</summary>
    public IncrementalSpec? Incremental { get; init; }

    /// <summary>The key, change rule and delete rule of a snapshot (type 2 history); null for every other asset.</summary>
    public SnapshotSpec? Snapshot { get; init; }

    /// <summary>The warehouse schema (PostgreSQL) or dataset (BigQuery) the asset lives in.</summary>
    public string Schema => Layer;

    public bool IsSource => Materialization == Materialization.Source;
}
