using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Assets;

namespace Analytics.Core.Execution;

/// <summary>
/// Materializes a selection in topological order, independent assets in parallel. A step starts once the steps its
/// SQL reads have finished; a check that reads another asset waits for that asset's step. A failed asset (or a failed
/// error-severity check) skips its downstream; everything else still runs. Cancellation stops new steps and
/// cancels the SQL in flight; every table is then either as it was or fully rebuilt. Observers are always told
/// the outcome, even of a canceled run.
/// </summary>
public sealed class AssetExecutor(AssetProject project, IWarehouse warehouse, ExecutorOptions options, IRunObserver? observer = null)
{
    private readonly IRunObserver _observer = observer ?? new NullObserver();
    private readonly IncrementalBuilder _incremental = new(project, warehouse, options);

    public Task<RunResult> MaterializeAsync(IReadOnlyList<string> selection, CancellationToken cancellationToken = default) =>
        RunAsync(Guid.NewGuid(), selection, checksOnly: false, cancellationToken);

    public Task<RunResult> CheckAsync(IReadOnlyList<string> selection, CancellationToken cancellationToken = default) =>
        RunAsync(Guid.NewGuid(), selection, checksOnly: true, cancellationToken);

    public async Task<RunResult> RunAsync(Guid runId, IReadOnlyList<string> selection, bool checksOnly, CancellationToken cancellationToken)
    {
        var graph = project.Graph;
        var plan = graph.Order(selection.Distinct());
        var selected = plan.ToHashSet(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var record = CancellationToken.None;
        using var span = EngineTelemetry.Source.StartActivity(checksOnly ? "check run" : "materialize run");
        span?.SetTag("analytics.run_id", runId.ToString());
        span?.SetTag("analytics.assets", plan.Count);
        await _observer.RunStartedAsync(runId, plan, record);

        // The loads this run's incremental builds cover, read once (and only if one is selected), so every asset agrees.
        var loads = new Lazy<Task<long>>(() => options.SourceWatermark is { } watermark
            ? watermark.CurrentAsync(cancellationToken)
            : throw new InvalidOperationException("incremental assets with partitions need the source's load ids; run them through the CLI or a worker."));
        var results = new Dictionary<string, StepResult>(StringComparer.Ordinal);
        // A step waits for the selected steps its SQL reads; those only its checks read, its checks wait for (Steps).
        var waiting = plan.ToDictionary(k => k, k => Inputs(k).Count(selected.Contains), StringComparer.Ordinal);
        var ready = new ReadySteps(plan, selected, graph, plan.Where(k => waiting[k] == 0));
        var running = new Dictionary<Task<StepResult>, string>();
        var steps = new Steps(plan, selected, Math.Max(1, options.Parallelism));
        Task? slotGiven = null;

        while (ready.Count > 0 || running.Count > 0)
        {
            while (ready.Count > 0 && steps.TryTakeSlot())
            {
                var key = ready.Dequeue();
                var blocker = Inputs(key).FirstOrDefault(u => results.TryGetValue(u, out var r) && r.Blocks);
                if (cancellationToken.IsCancellationRequested || (blocker is not null && !checksOnly))
                {
                    steps.ReleaseSlot();
                    var outcome = cancellationToken.IsCancellationRequested
                        ? Canceled(key, TimeSpan.Zero)
                        : Skipped(key, $"upstream '{blocker}' {Describe(results[blocker!].Status)}");
                    await FinishAsync(runId, outcome, results, waiting, ready, steps, record);
                    continue;
                }

                running.Add(ExecuteStepAsync(runId, key, checksOnly, loads, steps, cancellationToken), key);
            }

            if (running.Count == 0)
            {
                continue;
            }

            // Woken by a step that finished, or by one that gave its slot back to wait for what its checks read.
            slotGiven ??= steps.SlotGivenAsync();
            var done = await Task.WhenAny(running.Keys.Append(slotGiven));
            if (done == slotGiven)
            {
                slotGiven = null;
                continue;
            }

            var step = (Task<StepResult>)done;
            running.Remove(step);
            await FinishAsync(runId, await step, results, waiting, ready, steps, record, notify: false);
        }

        var run = new RunResult(runId, plan.Select(k => results[k]).ToList(), clock.Elapsed);
        var status = WireName.Of(run.Status);
        span?.SetTag("analytics.status", status);
        span?.SetStatus(run.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
        EngineTelemetry.RunDuration.Record(clock.Elapsed.TotalSeconds, new KeyValuePair<string, object?>("status", status));
        await _observer.RunFinishedAsync(run, record);
        return run;
    }

    /// <summary>What the SQL of the asset <paramref name="key"/> reads (not what only its checks read).</summary>
    private IEnumerable<string> Inputs(string key) => project.Graph[key].Inputs.Select(d => d.Name).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Records the step's outcome, tells the steps whose checks wait for it, and queues the downstream steps whose SQL
    /// reads it and which it was the last to wait for.
    /// </summary>
    private async Task FinishAsync(
        Guid runId, StepResult step, Dictionary<string, StepResult> results, Dictionary<string, int> waiting, ReadySteps ready,
        Steps steps, CancellationToken cancellationToken, bool notify = true)
    {
        results[step.AssetKey] = step;
        if (notify)
        {
            await _observer.StepFinishedAsync(runId, step, cancellationToken);
        }

        steps.Finished(step);
        foreach (var down in project.Graph.DownstreamOf(step.AssetKey).Where(d => waiting.ContainsKey(d) && Inputs(d).Contains(step.AssetKey)))
        {
            if (--waiting[down] == 0)
            {
                ready.Add(down);
            }
        }
    }

    /// <summary>
    /// A run's slots (Parallelism of them: a step holds one while it works) and its steps' outcomes as they finish. A
    /// step built before an asset its checks read gives its slot back while it waits for that asset's step, so the
    /// slot is not held idle.
    /// </summary>
    private sealed class Steps
    {
        private readonly SemaphoreSlim _slots;
        private readonly SemaphoreSlim _given = new(0);
        private readonly Dictionary<string, TaskCompletionSource<StepResult>> _finished;

        public Steps(IReadOnlyList<string> plan, HashSet<string> selected, int parallelism)
        {
            _slots = new SemaphoreSlim(parallelism);
            _finished = plan.Where(selected.Contains).ToDictionary(
                k => k, _ => new TaskCompletionSource<StepResult>(TaskCreationOptions.RunContinuationsAsynchronously), StringComparer.Ordinal);
        }

        public bool TryTakeSlot() => _slots.Wait(0);

        public void ReleaseSlot() => _slots.Release();

        public Task SlotGivenAsync() => _given.WaitAsync();

        public void Finished(StepResult step) => _finished[step.AssetKey].TrySetResult(step);

        /// <summary>
        /// The outcomes of the steps of <paramref name="keys"/> in this run, waited for with the caller's slot given
        /// back (and taken again after); those not selected in this run are left out (their tables stand as they are).
        /// </summary>
        public async Task<IReadOnlyList<StepResult>> AwaitAsync(IEnumerable<string> keys)
        {
            var awaited = keys.Where(_finished.ContainsKey).Select(k => _finished[k].Task).ToList();
            if (awaited.All(t => t.IsCompleted))
            {
                return awaited.Select(t => t.Result).ToList();
            }

            _slots.Release();
            _given.Release();
            try
            {
                return await Task.WhenAll(awaited);
            }
            finally
            {
                await _slots.WaitAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// The steps whose upstream has finished, longest chain of selected steps below first (then in plan order): a
    /// free slot goes to the step the most work waits on. In plan order, stg_events, which everything waits on, queued
    /// behind eight steps of a few milliseconds each that nothing waits on.
    /// </summary>
    private sealed class ReadySteps
    {
        private readonly PriorityQueue<string, (int Chain, int Position)> _queue = new();
        private readonly Dictionary<string, (int Chain, int Position)> _priority = new(StringComparer.Ordinal);

        public ReadySteps(IReadOnlyList<string> plan, HashSet<string> selected, Graph.AssetGraph graph, IEnumerable<string> first)
        {
            var below = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = plan.Count - 1; i >= 0; i--)
            {
                var key = plan[i];
                below[key] = graph.DownstreamOf(key).Where(selected.Contains).Select(d => below[d] + 1).DefaultIfEmpty(0).Max();
                _priority[key] = (-below[key], i);
            }

            foreach (var key in first)
            {
                Add(key);
            }
        }

        public int Count => _queue.Count;

        public void Add(string key) => _queue.Enqueue(key, _priority[key]);

        public string Dequeue() => _queue.Dequeue();
    }

    private async Task<StepResult> ExecuteStepAsync(
        Guid runId, string key, bool checksOnly, Lazy<Task<long>> loads, Steps steps, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var asset = project.Graph[key];
        var clock = Stopwatch.StartNew();
        using var span = EngineTelemetry.Source.StartActivity($"asset {key}");
        span?.SetTag("analytics.asset", key);
        var statements = StatementLog.Begin();
        IAsyncDisposable? held = null;
        try
        {
            if (options.Locks is { } locks && !checksOnly)
            {
                held = await locks.AcquireAsync(key, reason => _observer.StepWaitingAsync(runId, key, reason, CancellationToken.None), cancellationToken);
            }

            var result = await BuildAndCheckAsync(runId, asset, checksOnly, loads, steps, clock, cancellationToken) with { Statements = statements.Statements };
            StatementLog.End();
            Trace(span, result);
            // Told while the asset is still held, so the next run's start is never recorded before this one's finish.
            await _observer.StepFinishedAsync(runId, result, CancellationToken.None);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var canceled = Canceled(key, clock.Elapsed) with { Statements = statements.Statements };
            StatementLog.End();
            await _observer.StepFinishedAsync(runId, canceled, CancellationToken.None);
            return canceled;
        }
        finally
        {
            if (held is not null)
            {
                await held.DisposeAsync();
            }

            steps.ReleaseSlot();
        }
    }

    private static void Trace(Activity? span, StepResult result)
    {
        var status = result.Status.ToString().ToLowerInvariant();
        span?.SetTag("analytics.status", status);
        span?.SetTag("analytics.rows", result.Rows);
        span?.SetStatus(result.Status == StepStatus.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error, result.Error);
        var tags = new KeyValuePair<string, object?>[] { new("asset", result.AssetKey), new("status", status) };
        EngineTelemetry.AssetDuration.Record(result.Duration.TotalSeconds, tags);
        if (result.Rows is { } rows)
        {
            EngineTelemetry.RowsMaterialized.Add(rows, tags);
        }
    }

    private async Task<StepResult> BuildAndCheckAsync(
        Guid runId, AssetDefinition asset, bool checksOnly, Lazy<Task<long>> loads, Steps steps, Stopwatch clock, CancellationToken cancellationToken)
    {
        var key = asset.Key.Name;
        await _observer.StepStartedAsync(runId, key, CancellationToken.None);
        MaterializationResult? built = null;
        IncrementalBuild? incremental = null;
        string? sqlHash = null;
        try
        {
            if (!checksOnly)
            {
                if (asset.IsSource)
                {
                    if (asset.Source is not null && options.SourceLoader is { } loader)
                    {
                        await loader.LoadAsync(runId, asset, cancellationToken);
                    }

                    var (upToDate, watermark, since) = await _incremental.SourceStateAsync(asset, cancellationToken);
                    if (upToDate)
                    {
                        // No load since it was last observed (and checked): counting ten million rows again would say the same.
                        return new StepResult(key, StepStatus.Succeeded, 0, clock.Elapsed, null, [], null, [])
                        {
                            Incremental = new IncrementalBuild(IncrementalBuildKind.UpToDate, "no new loads", []),
                        };
                    }

                    built = await warehouse.ObserveAsync(asset, since, watermark, cancellationToken);
                    if (watermark is { } observedAt)
                    {
                        await _incremental.RecordTableAsync(runId, asset, observedAt, built.TableRows, cancellationToken);
                    }
                }
                else if (asset.Incremental is not null)
                {
                    var (result, build, sql) = await _incremental.BuildAsync(runId, asset, await loads.Value, cancellationToken);
                    (built, incremental, sqlHash) = (result, build, sql is null ? null : Hash(sql));
                    if (result is null)
                    {
                        // Nothing changed upstream: the table stands as it was built, checked then.
                        return new StepResult(key, StepStatus.Succeeded, 0, clock.Elapsed, null, [], null, []) { Incremental = build };
                    }
                }
                else if (asset.Snapshot is not null)
                {
                    var sql = project.Compile(key, warehouse.Dialect);
                    sqlHash = Hash(sql);
                    // Without a source watermark (a run outside the run store) there are no loads to stamp: 0.
                    (built, incremental) = await SnapshotAsync(runId, asset, sql, options.SourceWatermark is null ? 0 : await loads.Value, cancellationToken);
                }
                else
                {
                    var append = asset.Materialization == Materialization.Incremental
                                 && await warehouse.RelationExistsAsync(asset.Schema, key, cancellationToken);
                    var sql = project.Compile(key, warehouse.Dialect, append);
                    sqlHash = Hash(sql);
                    if (await _incremental.UpToDateTableAsync(asset, sql, loads, cancellationToken) is not null)
                    {
                        // Built before from these definitions and these loads: the table stands as it was built, checked then.
                        return new StepResult(key, StepStatus.Succeeded, 0, clock.Elapsed, null, [], null, [])
                        {
                            Incremental = new IncrementalBuild(IncrementalBuildKind.UpToDate, "no new loads, no definition changed", []),
                        };
                    }

                    built = await warehouse.MaterializeAsync(asset, sql, append ? IncrementalWrite.Append : null, cancellationToken);
                    if (append && built.TableRows is null)
                    {
                        // An appending model keeps no record of its size: count what it holds now.
                        built = built with { TableRows = await warehouse.CountRowsAsync(asset, cancellationToken) };
                    }

                    if (_incremental.TracksLoads(asset))
                    {
                        await _incremental.RecordTableAsync(runId, asset, await loads.Value, built.TableRows, cancellationToken);
                    }
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new StepResult(key, StepStatus.Failed, null, clock.Elapsed, $"{asset.SourcePath}: {e.Message}", [], sqlHash, []);
        }

        // Checks that read another asset built in this run (fct_events' relationships to dim_users) wait for its step;
        // the others run first, while it builds. One whose asset failed or was skipped does not run: it would judge
        // this table against that asset's previous one.
        var scope = incremental?.CheckScope;
        var waitsFor = asset.CheckDependencies.Select(d => d.Name).ToHashSet(StringComparer.Ordinal);
        var positions = asset.Checks.Select((check, i) => (Check: check, Position: i)).ToList();
        // Each check that reads one of them, with the ones it reads.
        var late = waitsFor.Count == 0
            ? []
            : positions.Select(c => (c.Check, c.Position, Reads: AssetFileParser.CheckReads(asset.SourcePath, c.Check).Where(r => waitsFor.Contains(r.Name)).ToList()))
                .Where(c => c.Reads.Count > 0)
                .ToList();
        var results = new CheckResult[asset.Checks.Count];
        await RunChecksAsync(asset, positions.Where(c => !late.Any(l => l.Position == c.Position)).ToList(), results, scope, built?.TableRows, cancellationToken);
        if (late.Count > 0)
        {
            var unbuilt = (await steps.AwaitAsync(waitsFor))
                .Where(s => s.Blocks && !checksOnly)
                .ToDictionary(s => s.AssetKey, StringComparer.Ordinal);
            foreach (var (check, position, reads) in late)
            {
                if (reads.FirstOrDefault(r => unbuilt.ContainsKey(r.Name)) is { } other)
                {
                    results[position] = new CheckResult(asset.Key.Name, check.Name, check.Kind, check.Severity, false, 0, [],
                        $" (not run: '{other.Name}', which it reads, {Describe(unbuilt[other.Name].Status)} in this run; build both again)", TimeSpan.Zero);
                }
            }

            await RunChecksAsync(asset, late.Where(c => results[c.Position] is null).Select(c => (c.Check, c.Position)).ToList(), results, scope, built?.TableRows, cancellationToken);
        }

        var checks = new List<CheckResult>();
        foreach (var result in results)
        {
            checks.Add(result);
            await _observer.CheckFinishedAsync(runId, result, CancellationToken.None);
        }

        var blocking = checks.FirstOrDefault(c => c.Blocks);
        return new StepResult(
            key,
            blocking is null ? StepStatus.Succeeded : StepStatus.CheckFailed,
            built?.Rows,
            clock.Elapsed,
            blocking is null ? null : $"check '{blocking.Name}' failed on {blocking.FailingRows} row(s){blocking.Error}",
            built?.Columns ?? [],
            sqlHash,
            checks)
        { Incremental = incremental, TableRows = built?.TableRows };
    }

    /// <summary>
    /// Adds a run to a snapshot's history, stamped with the load its inputs reflect (which an incremental asset
    /// downstream follows). A full refresh leaves the history as it is, and says so; only <c>--rebuild-snapshots</c> drops it.
    /// </summary>
    private async Task<(MaterializationResult Built, IncrementalBuild Build)> SnapshotAsync(
        Guid runId, AssetDefinition asset, string sql, long runLoads, CancellationToken cancellationToken)
    {
        // With a run store, a snapshot always records the load it reflects and its definition's hash.
        var tracked = options.Intervals is not null;
        var loadId = tracked ? await _incremental.UpstreamAsOfAsync(asset, runLoads, cancellationToken) : runLoads;
        var definition = Hash(sql);
        var before = tracked ? (await options.Intervals!.GetAsync(asset.Key.Name, cancellationToken))?.LineageHash : null;
        var write = new SnapshotWrite(options.Clock.GetUtcNow(), loadId, options.RebuildSnapshots);
        var built = await warehouse.SnapshotAsync(asset, sql, write, cancellationToken);
        if (tracked)
        {
            await _incremental.RecordTableAsync(runId, asset, runLoads, null, cancellationToken, definition);
        }

        var added = $"{built.Rows ?? 0} version(s) added, {built.TableRows ?? 0} in the history";
        var kept = built.TableRows - built.Rows ?? 0;
        var reason = options.RebuildSnapshots ? $"history dropped and started over (--rebuild-snapshots): {added}"
            : options.FullRefresh ? $"{added}; a full refresh does not rebuild a snapshot, since the {kept} version(s) it held "
                                    + "cannot be recomputed from today's source and would be lost (add --rebuild-snapshots to start it over anyway)"
            : before is { Length: > 0 } && before != definition
                ? $"{added}; its SELECT changed since the last run, and the {kept} version(s) before were kept, not rebuilt: versions from now on "
                  + "follow the new SELECT (add --rebuild-snapshots to start the history over, losing them)"
            : added;
        return (built, new IncrementalBuild(IncrementalBuildKind.Snapshot, reason, []));
    }

    /// <summary>
    /// Runs <paramref name="checks"/> into <paramref name="results"/> at their positions. They are independent reads,
    /// run up to Parallelism at a time: a step that runs alone (stg_events, which everything waits on) would otherwise
    /// leave a core idle through its checks. Those that judge each row alone share one read.
    /// </summary>
    private async Task RunChecksAsync(
        AssetDefinition asset, IReadOnlyList<(CheckDefinition Check, int Position)> checks, CheckResult[] results,
        IncrementalWrite? scope, long? tableRows, CancellationToken cancellationToken)
    {
        var (passed, read) = await RowChecksAsync(asset, checks, scope, cancellationToken);
        using var gate = new SemaphoreSlim(Math.Max(1, options.Parallelism));
        await Task.WhenAll(checks.Select(async c =>
        {
            if (passed.Contains(c.Position))
            {
                results[c.Position] = new CheckResult(asset.Key.Name, c.Check.Name, c.Check.Kind, c.Check.Severity, true, 0, [], null, read);
                return;
            }

            await gate.WaitAsync(cancellationToken);
            try
            {
                results[c.Position] = await RunCheckAsync(asset, c.Check, scope, tableRows, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>
    /// Of <paramref name="checks"/>, those that judge each row alone (not null, accepted values, expressions), when
    /// there are two or more, counted in one read of the table (or of the rows just written): the positions of those
    /// that passed, and how long the read took. A check that failed runs again alone, for its sample; if the read
    /// itself fails, every check runs alone and says what went wrong with it.
    /// </summary>
    private async Task<(HashSet<int> Passed, TimeSpan Read)> RowChecksAsync(
        AssetDefinition asset, IReadOnlyList<(CheckDefinition Check, int Position)> checks, IncrementalWrite? scope, CancellationToken cancellationToken)
    {
        var rowChecks = checks.Where(c => CheckSqlBuilder.FailingCondition(c.Check) is not null).ToList();
        if (rowChecks.Count < 2)
        {
            return ([], TimeSpan.Zero);
        }

        var clock = Stopwatch.StartNew();
        using var span = EngineTelemetry.Source.StartActivity("checks, one read");
        span?.SetTag("analytics.asset", asset.Key.Name);
        span?.SetTag("analytics.checks", string.Join(", ", rowChecks.Select(c => c.Check.Name)));
        var dialect = warehouse.Dialect;
        try
        {
            var compiled = rowChecks
                .Select(c => c.Check.Expression is null ? c.Check : c.Check with { Expression = project.CompileCheck(asset.Key.Name, c.Check, dialect) })
                .ToList();
            var counts = await warehouse.QueryCountsAsync(
                CheckSqlBuilder.FailingCounts(compiled, dialect.Relation(asset.Schema, asset.Key.Name), dialect, scope), cancellationToken, wholeTable: scope is null);
            return (rowChecks.Where((_, n) => counts[n] == 0).Select(c => c.Position).ToHashSet(), clock.Elapsed);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, e.Message);
            return ([], TimeSpan.Zero);
        }
    }

    /// <param name="tableRows">The size the build just arrived at, when it knows it: a row count is checked against it, not counted again.</param>
    private async Task<CheckResult> RunCheckAsync(
        AssetDefinition asset, CheckDefinition check, IncrementalWrite? scope, long? tableRows, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var span = EngineTelemetry.Source.StartActivity($"check {check.Name}");
        span?.SetTag("analytics.asset", asset.Key.Name);
        span?.SetTag("analytics.check", check.Name);
        var dialect = warehouse.Dialect;
        var sql = CheckSqlBuilder.FailingRows(
            check.Expression is null ? check : check with { Expression = project.CompileCheck(asset.Key.Name, check, dialect) },
            dialect.Relation(asset.Schema, asset.Key.Name),
            dialect,
            other => dialect.Relation(project.Graph[other.Name].Schema, other.Name),
            scope,
            tableRows,
            asset.TableIndexes);
        try
        {
            var outcome = await warehouse.QueryFailuresAsync(sql, options.CheckSampleSize, cancellationToken,
                // A check that reads all of its table scans it, unless it walks the table's own order through an index.
                CheckSqlBuilder.ReadsWholeTable(check, scope) && !CheckSqlBuilder.WalksTableOrder(check, asset));
            span?.SetTag("analytics.failing_rows", outcome.FailingRows);
            span?.SetStatus(outcome.FailingRows == 0 ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
            return new CheckResult(asset.Key.Name, check.Name, check.Kind, check.Severity, outcome.FailingRows == 0,
                outcome.FailingRows, outcome.Sample, null, clock.Elapsed);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new CheckResult(asset.Key.Name, check.Name, check.Kind, check.Severity, false, 0, [],
                check.Kind == CheckKind.ClassifiedColumns
                    ? $" (the header's classification names a column the table lacks: {e.Message}; correct the name in the classification, or add the column)"
                    : $" (the check could not run: {e.Message})", clock.Elapsed);
        }
    }

    private static StepResult Canceled(string key, TimeSpan duration) =>
        new(key, StepStatus.Canceled, null, duration, "canceled: the run was canceled", [], null, []);

    private static StepResult Skipped(string key, string reason) =>
        new(key, StepStatus.Skipped, null, TimeSpan.Zero, $"skipped: {reason}", [], null, []);

    private static string Describe(StepStatus status) => status switch
    {
        StepStatus.CheckFailed => "failed a blocking check",
        StepStatus.Skipped => "was skipped",
        _ => "failed",
    };

    public static string Hash(string sql) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));

    private sealed class NullObserver : IRunObserver;
}
