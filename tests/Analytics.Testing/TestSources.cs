using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;

namespace Analytics.Testing;

/// <summary>The repository's declared sources, and the event rules of raw_events' declaration as tests use them.</summary>
public static class TestSources
{
    private static readonly Lazy<AssetProject> Project = new(() => AssetProject.Load(TestFiles.RepositoryAssets));

    /// <summary>raw_events, as assets-sql/raw/raw_events.sql declares it.</summary>
    public static AssetDefinition Events => Project.Value.Graph["raw_events"];

    /// <summary>The repository's declared source <paramref name="key"/>.</summary>
    public static AssetDefinition Source(string key) => Project.Value.Graph[key];

    /// <summary>A validator of raw_events' rules for a file with <paramref name="header"/>; null and the problem when the header is unusable.</summary>
    public static SourceRowValidator? Validator(IReadOnlyList<string> header, out string? problem, EventTimeRange? times = null)
    {
        var map = SourceHeader.Map(Events.Source!, header, out problem);
        return problem is null ? new SourceRowValidator(Events.Source!, map, header.Count, times) : null;
    }

    /// <summary>A fresh row for <see cref="Validator"/> to fill.</summary>
    public static SourceRow Row() => new(Events.Source!);

    /// <summary>An event's values by name, read from a validated row.</summary>
    public static EventValues Values(SourceRow row) => new(
        new DateTime(row.Values[0].Long, DateTimeKind.Utc), row.TextOf("user_id")!, row.TextOf("event_type")!, row.TextOf("transaction_category"),
        row.Values[4].IsNull ? null : row.Values[4].Decimal, row.TextOf("platform"), row.TextOf("utm_source"), row.TextOf("country"),
        row.TextOf("tenant_id"), row.Id);
}

/// <summary>One event's values, as a test reads them.</summary>
public sealed record EventValues(DateTime EventTime, string UserId, string EventType, string? TransactionCategory, decimal? MilesAmount,
    string? Platform, string? UtmSource, string? Country, string? TenantId, Guid EventId);
