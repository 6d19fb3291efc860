namespace Analytics.Core.Execution;

public sealed class ExecutorOptions
{
    /// <summary>How many independent assets build at once.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>How many failing rows a check shows.</summary>
    public int CheckSampleSize { get; set; } = 5;

    /// <summary>Locks held per asset while it builds; none by default (one process, one run).</summary>
    public IAssetLocks? Locks { get; set; }

    /// <summary>Where incremental assets record their partitions (the run store); without it they cannot build.</summary>
    public IIntervalStore? Intervals { get; set; }

    /// <summary>The source's committed load id, read once per run: what the run's incremental builds cover.</summary>
    public ISourceWatermark? SourceWatermark { get; set; }

    /// <summary>What loads a declared source when it is materialized (extraction, a folder's files); without it a source is only observed.</summary>
    public ISourceLoader? SourceLoader { get; set; }

    /// <summary>Build the selected incremental assets whole (<c>--full-refresh</c>).</summary>
    public bool FullRefresh { get; set; }

    /// <summary>
    /// Drop the selected snapshots' history and start it over (<c>--rebuild-snapshots</c>). A full refresh never does:
    /// history cannot be recomputed from today's inputs.
    /// </summary>
    public bool RebuildSnapshots { get; set; }

    /// <summary>The clock a snapshot's run stands at (a check-strategy version, a delete and a returning key start then).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Rebuild the selected incremental assets' partitions dated in this range (<c>analytics backfill</c>).</summary>
    public (DateOnly From, DateOnly To)? Backfill { get; set; }
}
