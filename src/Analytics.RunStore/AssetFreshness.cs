using System.Text.Json.Serialization;
using Analytics.Core.Assets;
using Analytics.Core.Graph;

namespace Analytics.RunStore;

/// <summary>An asset's state as people ask it: is it fresh, and if not, why.</summary>
public sealed record FreshnessView(FreshnessState State, string? Reason, string? MaxAge);

/// <summary>Whether an asset is fresh (its wire name, <c>fresh</c>, is what the API and the CLI write; the OpenAPI document lists them).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FreshnessState>))]
public enum FreshnessState
{
    [JsonStringEnumMemberName("fresh")]
    Fresh,
    [JsonStringEnumMemberName("stale")]
    Stale,
    [JsonStringEnumMemberName("failed")]
    Failed,
    [JsonStringEnumMemberName("never")]
    Never,
    [JsonStringEnumMemberName("running")]
    Running,
}

/// <summary>
/// The freshness of an asset, from the run store's statuses:
/// <c>running</c> (a running run is building it), <c>failed</c> (its latest build failed), <c>never</c> (never
/// materialized), <c>stale</c> (older than its <c>freshness: {max_age}</c>, or a table built before an upstream it
/// reads was rebuilt), else <c>fresh</c>. A view reads its upstream live, so only its age can make it stale; a source
/// is loaded by ingest, not built, and counts as fresh.
/// </summary>
public static class AssetFreshness
{
    private const FreshnessState Fresh = FreshnessState.Fresh;
    private const FreshnessState Stale = FreshnessState.Stale;
    private const FreshnessState Failed = FreshnessState.Failed;
    private const FreshnessState Never = FreshnessState.Never;
    private const FreshnessState Running = FreshnessState.Running;

    public static FreshnessView Evaluate(AssetGraph graph, string key, IReadOnlyDictionary<string, AssetStatus> statuses, DateTimeOffset now)
    {
        var asset = graph[key];
        var maxAge = asset.FreshnessMaxAge is { } m ? DurationText.Format(m) : null;
        var status = statuses.GetValueOrDefault(key);
        if (status?.Running is true)
        {
            return new(Running, "a running run is building it", maxAge);
        }

        if (asset.IsSource)
        {
            return new(Fresh, "a source: loaded by ingest", maxAge);
        }

        if (status?.LastStepStatus is "failed" or "check_failed")
        {
            return new(Failed, status.LastStepStatus == "failed" ? "its latest build failed" : "its latest build failed a blocking check", maxAge);
        }

        if (status?.MaterializedAt is not { } at)
        {
            return new(Never, "never materialized", maxAge);
        }

        if (PastMaxAge(asset, status, now) is { } age)
        {
            return new(Stale, $"materialized {DurationText.Format(Truncate(age))} ago; max_age is {maxAge}", maxAge);
        }

        if (asset.Materialization != Materialization.View)
        {
            var newer = graph.UpstreamOf(key)
                .Where(u => statuses.GetValueOrDefault(u)?.MaterializedAt > at && !graph[u].IsSource)
                .ToList();
            if (newer.Count > 0)
            {
                return new(Stale, $"upstream {string.Join(", ", newer)} was materialized after it", maxAge);
            }
        }

        return new(Fresh, null, maxAge);
    }

    /// <summary>How old the asset is when it is older than its <c>freshness: {max_age}</c> (its SLA is breached); else null.
    /// A build that found it up to date counts as one: its data is as of then.</summary>
    public static TimeSpan? PastMaxAge(AssetDefinition asset, AssetStatus? status, DateTimeOffset now) =>
        asset.FreshnessMaxAge is { } limit && status?.MaterializedAt is { } built && now - Latest(built, status.UpToDateAt) is var age && age > limit ? age : null;

    private static DateTimeOffset Latest(DateTimeOffset built, DateTimeOffset? upToDate) => upToDate > built ? upToDate.Value : built;

    private static TimeSpan Truncate(TimeSpan value) => TimeSpan.FromSeconds(Math.Floor(value.TotalSeconds));
}
