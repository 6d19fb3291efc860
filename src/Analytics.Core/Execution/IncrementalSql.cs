using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>The SQL pieces of an incremental build, shared by the builder and by whatever shows the SQL (compile, golden files).</summary>
public static class IncrementalSql
{
    /// <summary><c>affected()</c> for date partitions: the partition starts as a parenthesised list of date literals.</summary>
    public static string PartitionList(IEnumerable<DateOnly> starts) => "(" + string.Join(", ", starts.Select(ChangeWindow.Date)) + ")";

    /// <summary><c>affected_days()</c>: every day of the partitions starting at <paramref name="starts"/>.</summary>
    public static string DayList(IEnumerable<DateOnly> starts, DatePart grain) =>
        PartitionList(starts.SelectMany(s => Partitions.Range(s, Partitions.LastDay(s, grain), DatePart.Day)).Distinct().Order());

    /// <summary><c>affected()</c> for key partitions: the asset's <c>affected:</c> query, else the keys of the changed source rows.</summary>
    public static string Keys(AssetProject project, AssetDefinition asset, AssetDefinition source, ISqlDialect dialect, ChangeWindow window) =>
        "(" + project.CompileAffected(asset.Key.Name, dialect, window,
            $"select distinct {asset.Incremental!.UniqueKey} from {{{{ changed('{source.Key.Name}') }}}} as changed_rows") + ")";

    /// <summary>The query of the partition starts changed rows touch: the asset's <c>affected:</c>, else the days (weeks, months) of the changed source rows.</summary>
    public static string PartitionsQuery(AssetProject project, AssetDefinition asset, AssetDefinition source, ISqlDialect dialect, ChangeWindow window)
    {
        var time = source.PartitionBy
                   ?? throw new InvalidOperationException($"{source.SourcePath}: '{asset.Key.Name}' partitions by date; give the source 'partition_by: <timestamp column>'.");
        var fallback = $"select distinct {dialect.DateTrunc(asset.Incremental!.Grain, dialect.UtcDate(time))} from {{{{ changed('{source.Key.Name}') }}}} as changed_rows";
        return project.CompileAffected(asset.Key.Name, dialect, window, fallback);
    }

    /// <summary>How the build is written: by the asset's strategy, over the affected partitions or keys.</summary>
    /// <param name="rowKey">The asset's <see cref="AssetDefinition.PartitionKey"/>: a replace by date then writes only rows that differ.</param>
    public static IncrementalWrite Write(IncrementalSpec spec, string affected, bool readsTarget = false, IReadOnlyList<string>? rowKey = null) =>
        new(spec.Strategy, spec.Column, spec.ByDate ? spec.Grain : DatePart.Day, affected, spec.PartitionBy)
        {
            MatchColumns = spec.Strategy == IncrementalStrategy.InsertNew ? spec.KeyColumns : [],
            ReadsTarget = readsTarget,
            RowKey = spec is { Strategy: IncrementalStrategy.Replace, ByDate: true } ? rowKey ?? [] : [],
        };

    /// <summary>What the checks of an incremental build look at: the partitions (for insert_new too) or keys written.</summary>
    public static IncrementalWrite CheckScope(IncrementalSpec spec, string affected) =>
        Write(spec with { Strategy = IncrementalStrategy.Replace }, affected);

    /// <summary>
    /// The one source with a load_id upstream of <paramref name="asset"/>: whose loads are its changes. The walk
    /// stops at snapshots: what a snapshot adds is followed by its own stamps (<see cref="SnapshotsOf"/>).
    /// </summary>
    public static AssetDefinition SourceOf(AssetProject project, AssetDefinition asset)
    {
        var sources = Upstream(project, asset).Where(a => a.LoadId is not null).ToList();
        return sources.Count == 1
            ? sources[0]
            : throw new InvalidOperationException(sources.Count == 0
                ? $"{asset.SourcePath}: '{asset.Key.Name}' is incremental, but nothing upstream is a source with a 'load_id' to say what is new."
                : $"{asset.SourcePath}: '{asset.Key.Name}' reads {sources.Count} sources with a load_id ({string.Join(", ", sources.Select(s => s.Key.Name))}); an incremental asset follows one.");
    }

    /// <summary>The snapshots upstream of <paramref name="asset"/> (not those behind another snapshot).</summary>
    public static IReadOnlyList<AssetDefinition> SnapshotsOf(AssetProject project, AssetDefinition asset) =>
        Upstream(project, asset).Where(a => a.Snapshot is not null).ToList();

    /// <summary>
    /// The earliest day a snapshot's versions opened or closed in <paramref name="window"/> start or end on: an asset
    /// joining the versions valid at a time must rebuild what lies from there on.
    /// </summary>
    public static string SnapshotChangesQuery(AssetDefinition snapshot, ISqlDialect dialect, ChangeWindow window)
    {
        var relation = dialect.Relation(snapshot.Schema, snapshot.Key.Name);
        var loads = (string column) => $"{column} > {window.AfterLoadId} and {column} <= {window.ThroughLoadId}";
        return $"select min(day) from (select min({dialect.UtcDate(SnapshotSpec.ValidFrom)}) as day from {relation} where {loads(SnapshotSpec.RecordedLoad)} "
               + $"union all select min({dialect.UtcDate(SnapshotSpec.ValidTo)}) as day from {relation} where {loads(SnapshotSpec.ClosedLoad)}) as changed";
    }

    private static IEnumerable<AssetDefinition> Upstream(AssetProject project, AssetDefinition asset)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var frontier = new Stack<AssetKey>(asset.Inputs);
        while (frontier.TryPop(out var key))
        {
            if (!seen.Add(key.Name))
            {
                continue;
            }

            var upstream = project.Graph[key.Name];
            yield return upstream;
            if (upstream.Snapshot is null)
            {
                foreach (var dependency in upstream.Inputs)
                {
                    frontier.Push(dependency);
                }
            }
        }
    }
}
