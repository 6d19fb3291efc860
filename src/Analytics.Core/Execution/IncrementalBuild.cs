namespace Analytics.Core.Execution;

/// <summary>What an interval-tracked incremental step did: built whole, replaced some partitions or keys, or found nothing new.</summary>
public sealed record IncrementalBuild(IncrementalBuildKind Kind, string Reason, IReadOnlyList<PartitionBuild> Partitions)
{
    /// <summary>The partitions or keys just written, which the checks look at; null after a full build.</summary>
    public IncrementalWrite? CheckScope { get; init; }

    /// <summary>One line for people: "incremental: 3 partitions (1 new, 2 late) 2024-03-01..2024-03-04".</summary>
    public string Describe()
    {
        if (Kind != IncrementalBuildKind.Partitions || Partitions.Count == 0)
        {
            return $"{Kind switch { IncrementalBuildKind.Full => "full build", IncrementalBuildKind.Keys => "incremental by key", IncrementalBuildKind.Snapshot => "snapshot", _ => "up to date" }}: {Reason}";
        }

        var counts = string.Join(", ", Partitions.GroupBy(p => p.Reason).OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} {WireName.Of(g.Key)}"));
        return $"incremental: {Partitions.Count} partition(s) ({counts}) {Partitions.Min(p => p.Start):yyyy-MM-dd}..{Partitions.Max(p => p.Start):yyyy-MM-dd}";
    }
}

public enum IncrementalBuildKind
{
    /// <summary>Built whole (first build, full refresh, or a changed definition).</summary>
    Full,

    /// <summary>The affected date partitions were replaced.</summary>
    Partitions,

    /// <summary>The affected keys were replaced (or, for insert_new, new keys inserted).</summary>
    Keys,

    /// <summary>Nothing upstream changed since the last build.</summary>
    UpToDate,

    /// <summary>A snapshot's run: versions added to its history, never rebuilt unless asked to.</summary>
    Snapshot,
}
