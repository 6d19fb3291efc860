namespace Analytics.Core.Templating;

/// <summary>What a template needs to render: the dialect, how refs resolve, and whether this build is incremental.</summary>
public sealed record RenderContext(ISqlDialect Dialect, string This, bool IsIncremental, Func<string, string?> ResolveRef)
{
    /// <summary>
    /// <c>changed('source')</c>: the source's rows this build covers, as a FROM item: those loaded since the asset's
    /// last build on an incremental build, all of them otherwise. Null for a name that is no source with a load_id.
    /// </summary>
    public Func<string, string?> ResolveChanged { get; init; } = _ => null;

    /// <summary><c>affected()</c>: the partition starts or keys this build replaces, a parenthesised list or subquery.</summary>
    public string? Affected { get; init; }

    /// <summary>
    /// <c>affected_days()</c>: every day of the affected date partitions (a week is seven), a parenthesised list; for a
    /// build by key, the days the changed source rows are dated.
    /// </summary>
    public string? AffectedDays { get; init; }

    /// <summary>
    /// <c>is_backfill()</c>: this incremental build restates its partitions or keys from every row there is, rather
    /// than adding what the loads since its last build brought (an asset that merges new rows into its stored ones
    /// recomputes them instead).
    /// </summary>
    public bool IsBackfill { get; init; }

    /// <summary>
    /// <c>affected_start()</c>: the earliest affected partition's start, a date literal; for a build by key, the earliest
    /// day the changed source rows are dated.
    /// </summary>
    public string? AffectedStart { get; init; }

    /// <summary><c>previous_load()</c>: the last load the asset was built from; rows with a higher load id are the changed ones.</summary>
    public string? PreviousLoad { get; init; }
}
