using Analytics.Core.Assets;
using Analytics.Core.Graph;

namespace Analytics.RunStore;

/// <summary>An asset's state as people ask it: is it fresh, and if not, why.</summary>
public sealed record FreshnessView(string State, string? Reason, string? MaxAge);

/// <summary>
/// The freshness of an asset, from the run store's statuses:
/// <c>running</c> (a running run is building it), <c>failed</c> (its latest build failed), <c>never</c> (never
/// materialized), <c>stale</c> (older than its <c>freshness: {max_age}</c>, or a table built before an upstream it
/// reads was rebuilt), else <c>fresh</c>. A view reads its upstream live, so only its age can make it stale; a source
/// is loaded by ingest, not built, and counts as fresh.
/// </summary>
public static class AssetFreshness
{
    public const string Fresh = "fresh";
    public const string Stale = "stale";
    public const string Failed = "failed";
    public const string Never = "never";
    public const string Running = "running";

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

    /// <summary>How old the asset is when it is older than its <c>freshness: {max_age}</c> (its SLA is breached); else null.</summary>
    public static TimeSpan? PastMaxAge(AssetDefinition asset, AssetStatus? status, DateTimeOffset now) =>
        asset.FreshnessMaxAge is { } limit && status?.MaterializedAt is { } at && now - at > limit ? now - at : null;

    private static TimeSpan Truncate(TimeSpan value) => TimeSpan.FromSeconds(Math.Floor(value.TotalSeconds));
}
