using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>
/// Builds one interval-tracked incremental asset: works out from the run store and the source's loads what changed
/// since its last build, rebuilds exactly the affected partitions (or keys) in one transaction, fills gaps, and
/// records what it built. A changed definition, a missing table or a full refresh builds it whole instead.
/// </summary>
/// <remarks>
/// Changes are found by load id, not by a lookback window: the rows each load added are known exactly, so a late
/// event re-opens exactly the partitions it touches however old they are. The lookback only classifies them: a
/// change older than the lookback is still rebuilt, and recorded as a restatement.
/// </remarks>
internal sealed partial class IncrementalBuilder(AssetProject project, IWarehouse warehouse, ExecutorOptions options)
{
    /// <summary>More affected partitions than this and the asset is rebuilt whole: cheaper, and keeps the SQL small.</summary>
    public const int MaxPartitions = 2000;

    private ISqlDialect Dialect => warehouse.Dialect;

    /// <summary>
    /// Lineage hashes by asset, for this run: each compiles the asset and everything upstream, so once is enough.
    /// Steps run in parallel and ask at once (a plain dictionary written by two threads threw at 10 M events).
    /// </summary>
    private readonly ConcurrentDictionary<string, string> _lineage = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether a table's builds are recorded with the load they reflect: with a run store and a source watermark, every
    /// table is (so it can be found up to date, and an incremental asset downstream does not run ahead of it).
    /// </summary>
    public bool TracksLoads(AssetDefinition asset) =>
        options is { Intervals: not null, SourceWatermark: not null } && !asset.IsSource && asset.Incremental is null && asset.Snapshot is null;

    /// <summary>
    /// After a table builds (or a source is observed, at the load the run read before counting it): the load it reflects
    /// (the oldest of its inputs') and its lineage hash, so the next run can
    /// find it up to date; and, for a snapshot, <paramref name="definition"/> (its SQL's hash), so the next run can say
    /// when it changed.
    /// </summary>
    public async Task RecordTableAsync(Guid runId, AssetDefinition asset, long runLoads, long? tableRows, CancellationToken cancellationToken,
        string? definition = null) =>
        await options.Intervals!.RecordAsync(asset.Key.Name, runId,
            new IncrementalState(await UpstreamAsOfAsync(asset, runLoads, cancellationToken), definition ?? LineageHash(asset.Key.Name)) { TableRows = tableRows },
            [], replaceAll: false, cancellationToken);

    /// <summary>
    /// Whether a table (or view) need not be rebuilt: built before from the same definitions (its own and everything upstream's)
    /// and the same loads its inputs reflect now, its relation still there, and no full refresh or backfill asked for.
    /// A table whose SQL reads the clock (<c>current_timestamp</c>, <c>now()</c>, ...), <c>random()</c> or <c>pg_sleep()</c> is always
    /// rebuilt: its rows change without any input changing. Returns the state it was built at, or null to build it.
    /// </summary>
    public async Task<IncrementalState?> UpToDateTableAsync(AssetDefinition asset, string sql, Lazy<Task<long>> runLoads, CancellationToken cancellationToken)
    {
        if (!TracksLoads(asset) || options.FullRefresh || options.Backfill is not null || asset.Materialization is not (Materialization.Table or Materialization.View)
            || Volatile().IsMatch(sql))
        {
            return null;
        }

        var state = await options.Intervals!.GetAsync(asset.Key.Name, cancellationToken);
        return state is not null && state.LineageHash == LineageHash(asset.Key.Name)
                                 && state.LoadId >= await UpstreamAsOfAsync(asset, await runLoads.Value, cancellationToken)
                                 && await warehouse.RelationExistsAsync(asset.Schema, asset.Key.Name, cancellationToken)
            ? state
            : null;
    }

    /// <summary>
    /// For a source whose loads the manifest numbers (<c>load_id</c>): whether no load has arrived since it was last
    /// observed, its size then recorded and its table there (an erasure forgets the size, so the next run counts again;
    /// retention's rebuild is a full refresh). Returns the watermark read now, before any count, to record after one,
    /// and, when the recorded size stands, that size and the loads since it to add to it.
    /// </summary>
    public async Task<(bool UpToDate, long? Watermark, SourceSize? Since)> SourceStateAsync(AssetDefinition asset, CancellationToken cancellationToken)
    {
        if (options is not { Intervals: { } intervals, SourceWatermark: { } watermark } || asset.LoadId is null)
        {
            return (false, null, null);
        }

        var current = await watermark.CurrentAsync(cancellationToken);
        if (options.FullRefresh || options.Backfill is not null)
        {
            return (false, current, null);
        }

        var state = await intervals.GetAsync(asset.Key.Name, cancellationToken);
        if (state is not { TableRows: { } rows } || state.LineageHash != LineageHash(asset.Key.Name)
            || !await warehouse.RelationExistsAsync(asset.Schema, asset.Key.Name, cancellationToken))
        {
            return (false, current, null);
        }

        return (state.LoadId >= current, current, new SourceSize(rows, state.LoadId));
    }

    [GeneratedRegex(@"\b(current_timestamp|current_date|current_time|localtimestamp|localtime|now\s*\(|clock_timestamp|statement_timestamp|transaction_timestamp|random\s*\(|rand\s*\(|gen_random_uuid|generate_uuid|pg_sleep)",
        RegexOptions.IgnoreCase)]
    private static partial Regex Volatile();

    /// <summary>
    /// The newest load all of <paramref name="asset"/>'s inputs reflect: the run's for a source, the recorded one for
    /// an asset (0 when none is recorded), through views to what they read; not what only its checks read, which may
    /// still be building. An incremental asset never runs ahead of
    /// it, or a load its upstream has not taken in yet would count as done.
    /// </summary>
    public async Task<long> UpstreamAsOfAsync(AssetDefinition asset, long runLoads, CancellationToken cancellationToken)
    {
        var asOf = runLoads;
        foreach (var dependency in asset.Inputs.Select(d => project.Graph[d.Name]))
        {
            var loads = dependency.IsSource ? runLoads
                : dependency.Materialization == Materialization.View ? await UpstreamAsOfAsync(dependency, runLoads, cancellationToken)
                : (await options.Intervals!.GetAsync(dependency.Key.Name, cancellationToken))?.LoadId ?? 0;
            asOf = Math.Min(asOf, loads);
        }

        return asOf;
    }

    public async Task<(MaterializationResult? Built, IncrementalBuild Build, string? Sql)> BuildAsync(
        Guid runId, AssetDefinition asset, long runLoads, CancellationToken cancellationToken)
    {
        var spec = asset.Incremental!;
        var key = asset.Key.Name;
        var intervals = options.Intervals
            ?? throw new InvalidOperationException($"'{key}' is incremental with partitions, which are recorded in the run store; run it through the CLI or a worker.");
        var throughLoadId = await UpstreamAsOfAsync(asset, runLoads, cancellationToken);
        var source = IncrementalSql.SourceOf(project, asset);
        var lineage = LineageHash(key);
        var state = await intervals.GetAsync(key, cancellationToken);
        var exists = await warehouse.RelationExistsAsync(asset.Schema, key, cancellationToken);

        var fullReason = options.FullRefresh ? "full refresh requested"
            : state is null ? "first build"
            : !exists ? "its table was missing"
            : state.LineageHash != lineage ? "its SQL or an upstream asset's changed since the last build"
            : null;
        if (fullReason is null && options.Backfill is null && state!.LoadId >= throughLoadId && !spec.ByDate)
        {
            return (null, new IncrementalBuild(IncrementalBuildKind.UpToDate, "no new loads", []), null);
        }

        var window = options.Backfill is { } range
            ? new ChangeWindow(0, throughLoadId, range.From, range.To)
            : new ChangeWindow(state?.LoadId ?? 0, throughLoadId);
        var newState = new IncrementalState(throughLoadId, lineage);
        if (fullReason is null && spec.ByDate)
        {
            var partitions = await AffectedPartitionsAsync(asset, source, window, cancellationToken);
            if (partitions.Count == 0)
            {
                await intervals.RecordAsync(key, runId, newState with { TableRows = state!.TableRows }, [], replaceAll: false, cancellationToken);
                return (null, new IncrementalBuild(IncrementalBuildKind.UpToDate, "no partition changed", []), null);
            }

            if (partitions.Count <= MaxPartitions)
            {
                var list = IncrementalSql.PartitionList(partitions.Select(p => p.Start));
                var sql = project.CompileIncremental(key, Dialect, window, list, IncrementalSql.DayList(partitions.Select(p => p.Start), spec.Grain),
                    ChangeWindow.Date(partitions.Min(p => p.Start)));
                // A backfill rebuilds its partitions: an insert_new asset's too are cleared and written again (what the source
                // no longer holds, after retention or an erasure, goes), not only topped up with keys they lack.
                var write = IncrementalSql.Write(window.IsBackfill ? spec with { Strategy = IncrementalStrategy.Replace } : spec, list, project.Uses(key, "this"),
                    asset.PartitionKey);
                var built = await SizedAsync(asset, state, await warehouse.MaterializeAsync(asset, sql, write, cancellationToken), cancellationToken);
                await intervals.RecordAsync(key, runId, newState with { TableRows = built.TableRows }, partitions, replaceAll: false, cancellationToken);
                return (built, new IncrementalBuild(IncrementalBuildKind.Partitions, "", partitions) { CheckScope = IncrementalSql.CheckScope(spec, list) }, sql);
            }

            fullReason = $"more than {MaxPartitions} partitions changed";
        }
        else if (fullReason is null)
        {
            var affected = await warehouse.StageAffectedAsync(asset, IncrementalSql.Keys(project, asset, source, Dialect, window), cancellationToken);
            var (days, earliest) = project.Uses(key, "affected_days") || project.Uses(key, "affected_start")
                ? await ChangedDaysAsync(source, window, cancellationToken)
                : (null, null);
            var sql = project.CompileIncremental(key, Dialect, window, affected, days, earliest);
            var write = IncrementalSql.Write(spec, affected, project.Uses(key, "this"));
            var built = await SizedAsync(asset, state, await warehouse.MaterializeAsync(asset, sql, write, cancellationToken), cancellationToken);
            await intervals.RecordAsync(key, runId, newState with { TableRows = built.TableRows }, [], replaceAll: false, cancellationToken);
            var reason = window.IsBackfill ? "backfill" : $"loads {window.AfterLoadId + 1}..{throughLoadId}";
            return (built, new IncrementalBuild(IncrementalBuildKind.Keys, reason, []) { CheckScope = IncrementalSql.CheckScope(spec, affected) }, sql);
        }

        var fullSql = project.Compile(key, Dialect);
        var whole = await warehouse.MaterializeAsync(asset, fullSql, null, cancellationToken);
        var all = spec.ByDate ? await AllPartitionsAsync(asset, cancellationToken) : [];
        await intervals.RecordAsync(key, runId, newState with { TableRows = whole.TableRows }, all, replaceAll: true, cancellationToken);
        return (whole, new IncrementalBuild(IncrementalBuildKind.Full, fullReason, all), fullSql);
    }

    /// <summary>
    /// <c>affected_days()</c> of a build by key: the days the changed source rows are dated, as a list of literals, so
    /// a build that reads only what is new finds it by a date index (a subquery of them, the planner guessed at).
    /// More days than <see cref="MaxPartitions"/> are that subquery. <c>affected_start()</c>: the earliest of them, a
    /// literal (a scalar subquery beyond that many). Both null when the source has no time column.
    /// </summary>
    private async Task<(string? Days, string? Earliest)> ChangedDaysAsync(AssetDefinition source, ChangeWindow window, CancellationToken cancellationToken)
    {
        if (source.PartitionBy is not { } time)
        {
            return (null, null);
        }

        var changed = $"from {window.Render(source, Dialect)} as changed_rows";
        var query = $"select distinct {Dialect.UtcDate(time)} {changed}";
        var days = await warehouse.QueryDatesAsync(query, MaxPartitions, cancellationToken);
        return days.Count > MaxPartitions ? ($"({query})", $"(select min({Dialect.UtcDate(time)}) {changed})")
            : days.Count == 0 ? ("(null)", "cast(null as date)")
            : (IncrementalSql.PartitionList(days.Order()), ChangeWindow.Date(days.Min()));
    }

    /// <summary>
    /// <paramref name="built"/> with the table's size after an incremental write: the size recorded after the last
    /// build moved by the write's delta, or (once, when none was recorded) counted.
    /// </summary>
    private async Task<MaterializationResult> SizedAsync(AssetDefinition asset, IncrementalState? before, MaterializationResult built,
        CancellationToken cancellationToken) =>
        built with
        {
            TableRows = built.TableRows
                        ?? (before?.TableRows is { } size && built.Delta is { } delta ? size + delta : await warehouse.CountRowsAsync(asset, cancellationToken)),
        };

    /// <summary>The partitions the changed rows touch, plus the gaps in the record, each with why it is rebuilt.</summary>
    private async Task<IReadOnlyList<PartitionBuild>> AffectedPartitionsAsync(
        AssetDefinition asset, AssetDefinition source, ChangeWindow window, CancellationToken cancellationToken)
    {
        var spec = asset.Incremental!;
        var key = asset.Key.Name;
        var built = (await options.Intervals!.BuiltPartitionsAsync(key, cancellationToken)).ToHashSet();
        var changed = new SortedSet<DateOnly>();
        if (window.IsBackfill || window.ThroughLoadId > window.AfterLoadId)
        {
            var dates = await warehouse.QueryDatesAsync(IncrementalSql.PartitionsQuery(project, asset, source, Dialect, window), MaxPartitions, cancellationToken);
            if (dates.Count > MaxPartitions)
            {
                // Too many to replace one by one: the caller builds the asset whole.
                return dates.Select(d => new PartitionBuild(d, PartitionReason.Restated)).ToList();
            }

            foreach (var date in dates)
            {
                changed.Add(Partitions.Truncate(date, spec.Grain));
            }
        }

        if (!window.IsBackfill && window.ThroughLoadId > window.AfterLoadId)
        {
            // A snapshot upstream that opened or closed versions: each row from the earliest such time on may have
            // joined another version, so every partition built from there on is rebuilt.
            foreach (var snapshot in IncrementalSql.SnapshotsOf(project, asset))
            {
                var since = await warehouse.QueryDatesAsync(IncrementalSql.SnapshotChangesQuery(snapshot, Dialect, window), 1, cancellationToken);
                if (since.Count > 0)
                {
                    var from = Partitions.Truncate(since[0], spec.Grain);
                    changed.UnionWith(built.Where(b => b >= from));
                }
            }
        }

        if (window.IsBackfill)
        {
            // Every partition in the range, not only those with rows now: a backfill also clears what should be empty.
            foreach (var start in Partitions.Range(Partitions.Truncate(window.From!.Value, spec.Grain), window.To!.Value, spec.Grain))
            {
                changed.Add(start);
            }

            return changed.Concat(Following(spec, built, changed)).Distinct().Order().Select(d => new PartitionBuild(d, PartitionReason.Backfill)).ToList();
        }

        var result = new List<PartitionBuild>();
        var newest = built.Count == 0 ? (DateOnly?)null : built.Max();
        var lookbackStart = newest is { } n ? Partitions.Add(n, spec.Grain, -spec.Lookback) : DateOnly.MinValue;
        foreach (var date in changed)
        {
            var reason = newest is null || date > newest ? PartitionReason.New
                : date >= lookbackStart ? PartitionReason.Late
                : PartitionReason.Restated;
            result.Add(new PartitionBuild(date, reason));
        }

        if (built.Count + changed.Count > 0 && Span(built.Concat(changed), spec.Grain) <= Partitions.MaxTracked)
        {
            var everything = built.Concat(changed).ToList();
            foreach (var start in Partitions.Range(everything.Min(), everything.Max(), spec.Grain).Where(s => !built.Contains(s) && !changed.Contains(s)))
            {
                result.Add(new PartitionBuild(start, PartitionReason.Gap));
            }
        }

        result.AddRange(Following(spec, built, result.Select(p => p.Start).ToHashSet()).Select(d => new PartitionBuild(d, PartitionReason.Following)));
        return result.OrderBy(p => p.Start).ToList();
    }

    /// <summary>
    /// For an asset whose partitions depend on the ones before (<c>affects_later</c>): every built partition after the
    /// earliest of <paramref name="rebuilt"/> that is not among them.
    /// </summary>
    private static IEnumerable<DateOnly> Following(IncrementalSpec spec, IReadOnlySet<DateOnly> built, IReadOnlySet<DateOnly> rebuilt) =>
        spec.AffectsLater && rebuilt.Count > 0 ? built.Where(b => b > rebuilt.Min() && !rebuilt.Contains(b)) : [];

    /// <summary>After a full build: every partition from the table's first to its last, empty ones included.</summary>
    private async Task<IReadOnlyList<PartitionBuild>> AllPartitionsAsync(AssetDefinition asset, CancellationToken cancellationToken)
    {
        var spec = asset.Incremental!;
        var column = Dialect.DateTrunc(spec.Grain, spec.PartitionBy!);
        var bounds = await warehouse.QueryDatesAsync(
            $"select min({column}) from {Dialect.Relation(asset.Schema, asset.Key.Name)} union all select max({column}) from {Dialect.Relation(asset.Schema, asset.Key.Name)}",
            2, cancellationToken);
        if (bounds.Count == 0)
        {
            return [];
        }

        if (Span(bounds, spec.Grain) <= Partitions.MaxTracked)
        {
            // One date when the table has one partition: the dates come back distinct.
            return Partitions.Range(bounds.Min(), bounds.Max(), spec.Grain).Select(d => new PartitionBuild(d, PartitionReason.Full)).ToList();
        }

        // Too wide to list every partition: record those with rows, when there are not too many of them either.
        var relation = Dialect.Relation(asset.Schema, asset.Key.Name);
        var present = await warehouse.QueryDatesAsync($"select distinct {column} from {relation} limit {Partitions.MaxTracked + 1}",
            Partitions.MaxTracked + 1, cancellationToken);
        return present.Count > Partitions.MaxTracked ? [] : present.Order().Select(d => new PartitionBuild(d, PartitionReason.Full)).ToList();
    }

    /// <summary>How many partitions of <paramref name="grain"/> lie from the earliest of <paramref name="starts"/> to the latest.</summary>
    private static long Span(IEnumerable<DateOnly> starts, DatePart grain)
    {
        var list = starts.ToList();
        var days = list.Max().DayNumber - list.Min().DayNumber;
        return grain switch { DatePart.Week => days / 7, DatePart.Month => days / 28, _ => days } + 1;
    }

    /// <summary>
    /// A hash of the SQL and header of the asset and of everything upstream: when any of it changes, the partitions
    /// built before may be wrong everywhere, so the asset is built whole.
    /// </summary>
    private string LineageHash(string key)
    {
        if (_lineage.TryGetValue(key, out var known))
        {
            return known;
        }

        var text = new StringBuilder();
        foreach (var name in project.Graph.Order(project.Graph.Reachable([key], upstream: true).Append(key)))
        {
            var asset = project.Graph[name];
            text.Append(name).Append('\n').Append(asset.Materialization).Append('\n').Append(asset.Incremental).Append('\n')
                .Append(string.Join(",", asset.Incremental?.KeyColumns ?? [])).Append('\n');
            if (!asset.IsSource)
            {
                text.Append(project.Compile(name, Dialect)).Append('\n');
            }
        }

        return _lineage.GetOrAdd(key, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))));
    }
}
