using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.RunStore;

namespace Analytics.Api.Apis;

/// <summary>
/// <c>/api/assets/{key}/partitions</c>: an incremental asset's date partitions as the run store records them (what
/// <c>analytics intervals</c> prints): each built partition with the reason it was last built and the run, the gaps
/// between them, and the load the asset is current with.
/// </summary>
public static class PartitionsApi
{
    /// <summary>The most partitions (and gaps) one answer lists, the latest ones; <c>total</c> says how many there are.</summary>
    public const int MaxListed = 5_000;

    public static IEndpointRouteBuilder MapPartitionsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/assets/{key}/partitions", async (string key, AssetProject project, PostgresIntervalStore intervals, CancellationToken cancellationToken) =>
            {
                var graph = project.Graph;
                if (!graph.Contains(key))
                {
                    return Problems.UnknownAsset(key, graph.Keys);
                }

                if (graph[key].Incremental is not { ByDate: true } spec)
                {
                    return Problems.Conflict($"'{Problems.Clip(key)}' has no date partitions; the assets that have them: "
                                             + string.Join(", ", graph.Keys.Where(k => graph[k].Incremental is { ByDate: true })) + ".");
                }

                var store = intervals;
                var state = await store.GetAsync(key, cancellationToken);
                var partitions = await store.ListAsync(key, cancellationToken);
                var starts = partitions.Select(p => p.Start).ToList();
                var tracked = starts.Count == 0 || starts[^1].DayNumber - starts[0].DayNumber <= Partitions.MaxTracked;
                var have = starts.ToHashSet();
                var gaps = tracked && starts.Count > 0
                    ? Partitions.Range(starts[0], starts[^1], spec.Grain).Where(d => !have.Contains(d)).ToList()
                    : [];
                return TypedResults.Ok(new PartitionsView(key, WireName.Of(spec.Grain), spec.PartitionBy!, spec.Lookback, state?.LoadId, partitions.Count,
                    partitions.TakeLast(MaxListed).Select(p => new PartitionView(p.Start, WireName.Of(p.Reason), p.RunId, p.BuiltAt)).ToList(),
                    tracked, gaps.TakeLast(MaxListed).ToList()));
            })
            .WithTags("Assets").RequireRole(Role.Viewer).WithName("GetAssetPartitions")
            .WithSummary("An incremental asset's date partitions: each built one with why it was last built, the gaps, and the load it is current with")
            .Produces<PartitionsView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }
}

/// <summary>One built partition: its start, why it was last built (new, late, restated, gap, backfill, full, following), by which run, when.</summary>
public sealed record PartitionView(DateOnly Start, string Reason, Guid RunId, DateTimeOffset BuiltAt);

/// <summary>An incremental asset's partitions (the latest 5,000 of <c>Total</c>) and gaps; <c>GapsTracked</c> is false past 50,000 days.</summary>
public sealed record PartitionsView(string Key, string Grain, string PartitionBy, int Lookback, long? LoadId, int Total, IReadOnlyList<PartitionView> Partitions,
    bool GapsTracked, IReadOnlyList<DateOnly> Gaps);
