namespace Analytics.Core.Access;

/// <summary>What a principal may do; each role may do everything the ones before it may.</summary>
public enum Role
{
    /// <summary>Reads: assets, lineage, runs, mart rows, dashboards.</summary>
    Viewer,

    /// <summary>Plus materialize, cancel, retry, backfill, and pause, resume and tick schedules.</summary>
    Operator,

    /// <summary>Plus API keys (create, list, revoke).</summary>
    Admin,
}
