using Analytics.Core.Assets;
using Analytics.Core.Sources;

namespace Analytics.Orchestration;

/// <summary>
/// Which declared source a file in the landing zone belongs to: the source named by the first folder of its path
/// below the zone (<c>landing/raw_partner_channels/2025-01.xlsx</c>), else the one landing source of its format
/// (<c>.csv</c> files are raw_events'). The file extensions the zone is listed for are those of its sources.
/// </summary>
public sealed class LandingRoutes(AssetProject project)
{
    private readonly List<AssetDefinition> _sources = project.Graph.Keys.Select(k => project.Graph[k])
        .Where(a => a.Source?.Origin is FileOrigin { Location: FileOrigin.Landing })
        .ToList();

    /// <summary>The extensions of the landing sources' files (<c>.csv</c>, <c>.xlsx</c>, <c>.jsonl</c>).</summary>
    public IReadOnlySet<string> Extensions => _sources.Select(s => ((FileOrigin)s.Source!.Origin).Extension).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The source of the file at <paramref name="relativePath"/> (below the zone, '/'-separated), or why there is none.</summary>
    public (AssetDefinition? Source, string? Problem) Route(string relativePath)
    {
        var extension = Path.GetExtension(relativePath);
        var ofFormat = _sources.Where(s => string.Equals(((FileOrigin)s.Source!.Origin).Extension, extension, StringComparison.OrdinalIgnoreCase)).ToList();
        var folder = relativePath.Split('/', '\\') is { Length: > 1 } parts ? parts[0] : null;
        if (folder is not null && ofFormat.FirstOrDefault(s => s.Key.Name == folder) is { } named)
        {
            return (named, null);
        }

        return ofFormat.Count switch
        {
            1 => (ofFormat[0], null),
            0 => (null, $"no landing source reads {extension} files"),
            _ => (null, $"{ofFormat.Count} landing sources read {extension} files ({string.Join(", ", ofFormat.Select(s => s.Key.Name))}); "
                        + "put the file in the folder named after its source"),
        };
    }
}
