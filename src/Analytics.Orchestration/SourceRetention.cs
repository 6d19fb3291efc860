using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Analytics.Warehouse.Postgres;

namespace Analytics.Orchestration;

/// <summary>What retention did (or, dry, would do) to one source.</summary>
public sealed record RetentionOutcome(string Source, DateOnly KeptFrom, IReadOnlyDictionary<DateOnly, long> Days, Guid? RunId, bool? Rebuilt)
{
    public long Rows => Days.Values.Sum();
}

/// <summary>
/// The retention job: for each source that declares <c>retention: {max_age: ...}</c>, deletes the rows dated (by the
/// source's event time, in UTC days) before today minus the age, records the deletion with its days and row counts
/// (<c>runstore.retention_deletions</c>, and the audit log), and rebuilds everything downstream whole, so the marts are
/// what a full build on the rows kept gives. (A backfill of the deleted days would rebuild the date partitions, but an
/// asset incremental by key, dim_users say, learns which keys changed from the rows loaded, and the rows deleted are
/// gone: it would keep their totals. Rows age out once a day, so the full rebuild runs once a day.)
/// </summary>
public sealed class SourceRetention(AssetProject project, IWarehouse warehouse, RunExecutorFactory executors, RetentionStore retentions, AuditStore audit)
{
    public IEnumerable<AssetDefinition> Sources => project.Graph.TopologicalOrder.Select(k => project.Graph[k])
        .Where(a => a.Source?.Retention is not null);

    public async Task<IReadOnlyList<RetentionOutcome>> ApplyAsync(DateTimeOffset now, string requestedBy, bool dryRun, IRunObserver? reporter,
        CancellationToken cancellationToken)
    {
        if (warehouse is not PostgresWarehouse postgres)
        {
            throw new InvalidOperationException("retention deletes from the PostgreSQL warehouse in this version; on BigQuery, set the raw dataset's "
                                                + "partition expiration (partition_expiration_days) to the same age.");
        }

        var outcomes = new List<RetentionOutcome>();
        foreach (var source in Sources)
        {
            var keptFrom = DateOnly.FromDateTime(now.UtcDateTime.Date - source.Source!.Retention!.Value);
            var days = await PostgresRetention.DeleteBeforeAsync(postgres.DataSource, source, keptFrom, dryRun, cancellationToken);
            if (dryRun || days.Count == 0)
            {
                outcomes.Add(new RetentionOutcome(source.Key.Name, keptFrom, days, null, null));
                continue;
            }

            var deletion = await retentions.RecordAsync(source.Key.Name, keptFrom, days, requestedBy, CancellationToken.None);
            await audit.AppendAsync(
                [new AuditRecord(requestedBy, "RetentionDelete", $"{source.Key.Name} before {keptFrom:yyyy-MM-dd}: {days.Values.Sum()} row(s)", 200, null, null)],
                CancellationToken.None);
            var run = await RebuildAsync(source, requestedBy, reporter, cancellationToken);
            await retentions.AttachRunAsync(deletion, run.RunId, CancellationToken.None);
            outcomes.Add(new RetentionOutcome(source.Key.Name, keptFrom, days, run.RunId, run.Succeeded));
        }

        return outcomes;
    }

    /// <summary>Rebuilds what the source feeds, whole.</summary>
    private async Task<RunResult> RebuildAsync(AssetDefinition source, string requestedBy, IRunObserver? reporter, CancellationToken cancellationToken)
    {
        var graph = project.Graph;
        var downstream = graph.Reachable([source.Key.Name], upstream: false);
        var keys = graph.TopologicalOrder.Where(k => !graph[k].IsSource && downstream.Contains(k)).ToList();
        var build = new BuildOptions(FullRefresh: true);
        var executor = executors.Create(RunKind.Materialize, $"retention of {source.Key.Name}", requestedBy, Environment.ProcessorCount, reporter,
            build.Apply);
        return await executor.RunAsync(Guid.NewGuid(), keys, false, cancellationToken);
    }
}
