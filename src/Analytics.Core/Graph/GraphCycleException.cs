namespace Analytics.Core.Graph;

/// <summary>The declared dependencies loop; <see cref="Exception.Message"/> prints the loop as a path.</summary>
public sealed class GraphCycleException(IReadOnlyList<string> cycle)
    : Exception($"The asset graph has a cycle: {string.Join(" -> ", cycle)}. Remove one of these ref() calls.")
{
    public IReadOnlyList<string> Cycle { get; } = cycle;
}
