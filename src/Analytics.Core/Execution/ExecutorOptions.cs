namespace Analytics.Core.Execution;

public sealed class ExecutorOptions
{
    /// <summary>How many independent assets build at once.</summary>
    public int Parallelism { get; set; } = Environment.ProcessorCount;

    /// <summary>How many failing rows a check shows.</summary>
    public int CheckSampleSize { get; set; } = 5;
}
