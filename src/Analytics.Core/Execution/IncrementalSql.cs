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
    public static IncrementalWrite Write(IncrementalSpec spec, string affected) =>
        new(spec.Strategy, spec.Column, spec.ByDate && spec.Strategy == IncrementalStrategy.Replace ? spec.Grain : DatePart.Day, affected, spec.PartitionBy);

    /// <summary>What the checks of an incremental build look at: the partitions (for insert_new too) or keys written.</summary>
    public static IncrementalWrite CheckScope(IncrementalSpec spec, string affected) =>
        Write(spec with { Strategy = IncrementalStrategy.Replace }, affected);

    /// <summary>The one source with a load_id upstream of <paramref name="asset"/>: whose loads are its changes.</summary>
    public static AssetDefinition SourceOf(AssetProject project, AssetDefinition asset)
    {
        var graph = project.Graph;
        var sources = graph.Reachable([asset.Key.Name], upstream: true).Select(k => graph[k]).Where(a => a.LoadId is not null).ToList();
        return sources.Count == 1
            ? sources[0]
            : throw new InvalidOperationException(sources.Count == 0
                ? $"{asset.SourcePath}: '{asset.Key.Name}' is incremental, but nothing upstream is a source with a 'load_id' to say what is new."
                : $"{asset.SourcePath}: '{asset.Key.Name}' reads {sources.Count} sources with a load_id ({string.Join(", ", sources.Select(s => s.Key.Name))}); an incremental asset follows one.");
    }
}
