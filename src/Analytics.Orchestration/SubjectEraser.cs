using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Analytics.Warehouse.Postgres;

namespace Analytics.Orchestration;

/// <summary>
/// Erases one subject (a user id, in one tenant or all): the warehouse keeps a tombstone and loses the subject's rows
/// (raw, rejected, and every table with a user_id column); the assets downstream of the raw events are then rebuilt
/// for the days the subject's events spanned through the incremental machinery (a backfill of those partitions; full
/// tables build whole, as they always do); the run store's check samples that name the id are scrubbed; and every
/// text column of every table is searched for the id. The erasure is complete only when that search finds nothing.
/// </summary>
public sealed class SubjectEraser(AssetProject project, RunExecutorFactory executors, ErasureStore store, PostgresErasure? erasure = null)
{
    public const int MaxIdLength = 1_024;

    public sealed record Outcome(ErasureView Erasure, RunResult? Run);

    public async Task<Outcome> EraseAsync(string userId, string? tenant, string requestedBy, IRunObserver? reporter, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(userId) || userId.Trim() != userId || userId.Length > MaxIdLength || userId.Contains('\0'))
        {
            throw new ArgumentException($"The user id to erase must be 1 to {MaxIdLength:N0} characters without surrounding spaces, as it was loaded.");
        }

        if (erasure is null)
        {
            throw new ArgumentException("Erasure is built for the PostgreSQL warehouse; on BigQuery, delete the subject's rows with DML and rebuild (not automated yet).");
        }

        var erasureId = Guid.NewGuid();
        var removal = await erasure.RemoveAsync(userId, tenant, cancellationToken);
        await store.StartAsync(erasureId, removal.SubjectHash, tenant, requestedBy, cancellationToken);
        // The assets whose tables the removal shrank: the rebuild counts them rather than trust the sizes recorded before.
        var graph = project.Graph;
        await store.ForgetSizesAsync(removal.Rows.Where(r => r.Value > 0).Select(r => r.Key.Split('.'))
            .Where(n => graph.Contains(n[1]) && graph[n[1]].Schema == n[0]).Select(n => n[1]).ToList(), cancellationToken);

        RunResult? run = null;
        if (removal.From is { } first && removal.To is { } last)
        {
            // Every partition that held one of the subject's events: the days, and the weeks and months they fall in.
            var from = new[] { first.AddDays(-6), new DateOnly(first.Year, first.Month, 1) }.Min();
            var keys = project.Graph.TopologicalOrder.Where(k => !project.Graph[k].IsSource).ToList();
            var build = BuildOptions.Backfill(from, last, ("the subject's first event", "last event"));
            var executor = executors.Create(RunKind.Materialize, $"erasure {erasureId}", requestedBy, Environment.ProcessorCount, reporter, build.Apply);
            run = await executor.RunAsync(Guid.NewGuid(), keys, false, cancellationToken);
        }

        var scrubbed = await store.ScrubAsync(PostgresErasure.WordPattern(userId), cancellationToken);
        var found = await erasure.FindAsync(userId, cancellationToken);
        var complete = found.Count == 0 && run?.Succeeded != false;
        var view = await store.FinishAsync(erasureId, complete, run?.RunId,
            new { rows = removal.Rows, check_samples = scrubbed, subject_first_day = removal.From, subject_last_day = removal.To },
            run?.Succeeded == false ? [.. found, $"the rebuild run {run.RunId} did not succeed"] : found, cancellationToken);
        return new Outcome(view, run);
    }
}
