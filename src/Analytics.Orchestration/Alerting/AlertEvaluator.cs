using Analytics.Core.Alerting;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.Logging;

namespace Analytics.Orchestration.Alerting;

/// <summary>
/// Evaluates the rules of <c>alerts.yml</c> against the run store (runs, checks, freshness) and the warehouse (metric
/// rules), and reconciles each rule's incidents: one opening and one resolution per incident, each queued as a
/// message per channel. One worker evaluates at a time (an advisory lock); a rule whose query fails is skipped this
/// round, leaving its incidents as they were, rather than resolving them on no evidence.
/// </summary>
public sealed class AlertEvaluator(AssetProject project, IWarehouse warehouse, AlertStore store, RunStoreQueries queries, PostgresAssetLocks locks,
    IReadOnlyList<AlertRule> rules, IReadOnlyList<string> channels, string? baseUrl,
    TimeProvider clock, ILogger logger)
{
    private static readonly TimeSpan MetricTimeout = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, string> _problems = new(StringComparer.Ordinal);

    /// <summary>Evaluates every rule once; returns how many incidents opened and resolved (zero when another worker holds the turn).</summary>
    public async Task<(int Opened, int Resolved)> EvaluateAsync(CancellationToken cancellationToken)
    {
        await using var turn = await locks.TryAcquireAsync("alerts:evaluator", cancellationToken);
        if (turn is null)
        {
            return (0, 0);
        }

        var (opened, resolved) = (0, 0);
        foreach (var rule in rules)
        {
            var findings = await FindAsync(rule, cancellationToken);
            if (findings is null)
            {
                continue;
            }

            var (o, r) = await store.ReconcileAsync(rule.Name, findings, channels, cancellationToken);
            if (o + r > 0)
            {
                logger.LogInformation("Alert rule {Rule}: {Opened} incident(s) opened, {Resolved} resolved", rule.Name, o, r);
            }

            (opened, resolved) = (opened + o, resolved + r);
        }

        return (opened, resolved);
    }

    private async Task<IReadOnlyList<AlertFinding>?> FindAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        switch (rule.Kind)
        {
            case AlertKind.RunFailed:
                return (await store.LatestFailedRunsAsync(cancellationToken))
                    .Select(r => new AlertFinding($"selection '{r.Selection}'", $"Run {r.RunId} of '{r.Selection}' failed: {r.Error ?? "see the run's steps"}",
                        Link($"/runs/{r.RunId}")))
                    .ToList();
            case AlertKind.CheckFailed:
                return (await store.FailingBlockingChecksAsync(cancellationToken))
                    .Where(c => project.Graph.Contains(c.Asset))
                    .Select(c => new AlertFinding($"{c.Asset}.{c.Check}",
                        c.Error is null ? $"Blocking check {c.Check} on {c.Asset} failed on {c.FailingRows:N0} row(s) in run {c.RunId}"
                                        : $"Blocking check {c.Check} on {c.Asset} could not run in run {c.RunId}: {c.Error}",
                        Link($"/assets/{c.Asset}")))
                    .ToList();
            case AlertKind.Freshness:
                var statuses = await queries.AssetStatusesAsync(cancellationToken);
                var now = clock.GetUtcNow();
                var graph = project.Graph;
                return graph.TopologicalOrder
                    .Where(k => AssetFreshness.PastMaxAge(graph[k], statuses.GetValueOrDefault(k), now) is not null)
                    .Select(k => new AlertFinding(k,
                        $"{k} was last materialized at {statuses[k].MaterializedAt:u}, more than its max_age of {DurationText.Format(graph[k].FreshnessMaxAge!.Value)} ago",
                        Link($"/assets/{k}")))
                    .ToList();
            default:
                return await FindMetricAsync(rule, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<AlertFinding>?> FindMetricAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(MetricTimeout);
        try
        {
            var sql = project.CompileQuery(rule.Query!, warehouse.Dialect);
            var outcome = await warehouse.QueryFailuresAsync(sql, 3, timeout.Token);
            if (_problems.Remove(rule.Name))
            {
                logger.LogInformation("Alert rule {Rule} evaluates again", rule.Name);
            }

            if (outcome.FailingRows == 0)
            {
                return [];
            }

            var more = outcome.FailingRows > 1 ? $" (and {outcome.FailingRows - 1:N0} more row(s))" : "";
            return [new AlertFinding(rule.Name, $"{rule.Description}: {outcome.Sample[0]}{more}", Link("/dashboards"))];
        }
        catch (Exception e) when (e is System.Data.Common.DbException or Core.Templating.TemplateException
                                      || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // A mart not built yet, or a query that no longer compiles: no evidence either way this round. Said once
            // per problem, not every round.
            if (_problems.GetValueOrDefault(rule.Name) != e.Message)
            {
                _problems[rule.Name] = e.Message;
                logger.LogWarning("Alert rule {Rule} not evaluated: {Problem}", rule.Name, e.Message);
            }

            return null;
        }
    }

    private string Link(string path) => baseUrl is null ? path : baseUrl.TrimEnd('/') + path;
}
