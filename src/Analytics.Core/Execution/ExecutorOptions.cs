namespace Analytics.Core.Execution;

public sealed class ExecutorOptions
{
    /// <summary>How many independent assets build at once.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>How many failing rows a check shows.</summary>
    public int CheckSampleSize { get; set; } = 5;

    /// <summary>Locks held per asset while it builds; none by default (one process, one run).</summary>
    public IAssetLocks? Locks { get; set; }
}
