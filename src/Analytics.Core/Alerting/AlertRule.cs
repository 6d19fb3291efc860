using Analytics.Core.Templating;

namespace Analytics.Core.Alerting;

/// <summary>What an alert rule watches.</summary>
public enum AlertKind
{
    /// <summary>The latest finished run of a selection failed; resolved when a later run of it succeeds.</summary>
    RunFailed,

    /// <summary>The latest execution of a blocking (error-severity) check failed; resolved when it passes.</summary>
    CheckFailed,

    /// <summary>An asset declaring <c>freshness: {max_age}</c> is older than that (its SLA); resolved when rebuilt.</summary>
    Freshness,

    /// <summary>A query over the marts returns rows (each row describes the breach); resolved when it returns none.</summary>
    Metric,
}

/// <summary>A rule of <c>assets-sql/alerts.yml</c>. <see cref="Query"/> is set for metric rules only.</summary>
public sealed record AlertRule(string Name, AlertKind Kind, string Description, SqlTemplate? Query);
