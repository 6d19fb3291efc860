using Analytics.Warehouse.BigQuery;

namespace Analytics.Orchestration;

/// <summary>A file in the landing zone, as listed: where it is, its size and when it last changed.</summary>
public sealed record LandingEntry(string Path, long Bytes, DateTimeOffset Modified, GcsObject? Object = null);

/// <summary>Where the landing sensor looks: a local folder or a <c>gs://bucket/prefix</c>.</summary>
public interface ILandingStore
{
    /// <summary>How the location is shown (the folder, or the gs:// address).</summary>
    string Location { get; }

    /// <summary>
    /// Whether a file that changed a moment ago may still be being written. A local file may; a Cloud Storage object
    /// appears only once its upload is complete.
    /// </summary>
    bool NeedsSettling { get; }

    bool Exists();

    /// <summary>Every <c>*.csv</c> in the zone, in name order.</summary>
    Task<IReadOnlyList<LandingEntry>> ListAsync(CancellationToken cancellationToken);

    /// <summary>A local file with the entry's bytes (the file itself, or a download), and how to let it go.</summary>
    Task<(string File, Action Release)> FetchAsync(LandingEntry entry, CancellationToken cancellationToken);

    /// <summary>The store for <c>Analytics__Landing</c>: gs:// addresses read through <paramref name="storage"/>.</summary>
    public static ILandingStore For(string location, Func<GcsClient> storage) =>
        GcsUri.IsGcs(location) ? new GcsLandingStore(GcsUri.Parse(location, "Analytics__Landing"), storage()) : new LocalLandingStore(location);
}

public sealed class LocalLandingStore(string folder) : ILandingStore
{
    public string Location => folder;

    public bool NeedsSettling => true;

    public bool Exists() => Directory.Exists(folder);

    public Task<IReadOnlyList<LandingEntry>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<LandingEntry>>(
        Directory.EnumerateFiles(folder, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(path => (Path: path, Info: new FileInfo(path)))
            .Select(f => new LandingEntry(f.Path, f.Info.Length, new DateTimeOffset(f.Info.LastWriteTimeUtc, TimeSpan.Zero)))
            .ToList());

    public Task<(string File, Action Release)> FetchAsync(LandingEntry entry, CancellationToken cancellationToken) =>
        Task.FromResult<(string, Action)>((entry.Path, () => { }));
}

public sealed class GcsLandingStore(GcsUri prefix, GcsClient storage) : ILandingStore
{
    public string Location => prefix.ToString();

    public bool NeedsSettling => false;

    public bool Exists() => true;

    public async Task<IReadOnlyList<LandingEntry>> ListAsync(CancellationToken cancellationToken) =>
        (await storage.ListAsync(prefix.Bucket, prefix.Name, cancellationToken))
        .Where(o => o.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
        .Select(o => new LandingEntry(o.ToString(), o.Size, o.Updated, o))
        .ToList();

    public async Task<(string File, Action Release)> FetchAsync(LandingEntry entry, CancellationToken cancellationToken)
    {
        var local = Path.Combine(Path.GetTempPath(), $"analytics-landing-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var file = new FileStream(local, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                await storage.DownloadAsync(entry.Object!, file, cancellationToken);
            }
        }
        catch
        {
            File.Delete(local);
            throw;
        }

        return (local, () => File.Delete(local));
    }
}
