using Analytics.Core.Assets;
using Analytics.Ingest;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;

namespace Analytics.Orchestration;

/// <summary>The files a path names, for a source of one format: local files and folders, or gs:// objects.</summary>
public static class SourceFiles
{
    /// <summary>
    /// Local files and folders (their files of <paramref name="extension"/>, <c>.csv</c> by default, in name order) and
    /// <c>gs://bucket/prefix</c> addresses: the object of exactly that name, else every such object under the prefix,
    /// listed page by page, in name order.
    /// </summary>
    public static async Task<IReadOnlyList<SourceFile>> ExpandAsync(IEnumerable<string> paths, Func<GcsClient> storage, CancellationToken cancellationToken,
        string extension = ".csv")
    {
        var sources = new List<SourceFile>();
        foreach (var path in paths)
        {
            if (!GcsUri.IsGcs(path))
            {
                sources.AddRange(SourceIngestor.ExpandPaths([path], extension).Select(p => new SourceFile(p, null)));
                continue;
            }

            var address = GcsUri.Parse(path, "the path");
            var objects = await storage().ListAsync(address.Bucket, address.Name, cancellationToken);
            var exact = objects.Where(o => o.Name == address.Name).ToList();
            var chosen = exact.Count > 0 ? exact : objects.Where(o => o.Name.EndsWith(extension, StringComparison.OrdinalIgnoreCase)).ToList();
            if (chosen.Count == 0)
            {
                throw new FileNotFoundException(
                    $"{path}: no object of that name and no *{extension} objects under it ({objects.Count} object(s) listed); give a {extension} object or a prefix holding some.", path);
            }

            sources.AddRange(chosen.Select(o => new SourceFile(o.ToString(), o)));
        }

        return sources;
    }
}
