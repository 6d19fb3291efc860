using Analytics.Warehouse.BigQuery;

namespace Analytics.Orchestration;

/// <summary>
/// A file in the landing zone, as listed: where it is, its size and when it last changed; or, with
/// <see cref="Skipped"/>, why it is not read at all.
/// </summary>
public sealed record LandingEntry(string Path, long Bytes, DateTimeOffset Modified, GcsObject? Object = null, string? Skipped = null);

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

    /// <summary>Every file of the <paramref name="extensions"/> (<c>.csv</c>, ...) in the zone, in name order.</summary>
    Task<IReadOnlyList<LandingEntry>> ListAsync(IReadOnlySet<string> extensions, CancellationToken cancellationToken);

    /// <summary>The entry's path below the zone, '/'-separated.</summary>
    string RelativePath(LandingEntry entry);

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

    /// <summary>
    /// Every file of the <paramref name="extensions"/> below the folder. Only regular files inside it are read: a link is followed only to a regular
    /// file inside the folder, a linked folder is not entered (so a loop ends), and a FIFO, socket or device is listed
    /// as skipped, with why, without being opened.
    /// </summary>
    public Task<IReadOnlyList<LandingEntry>> ListAsync(IReadOnlySet<string> extensions, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var entries = new List<LandingEntry>();
        var folders = new Stack<DirectoryInfo>([new DirectoryInfo(root)]);
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = 0 };
        while (folders.TryPop(out var current))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var item in current.EnumerateFileSystemInfos("*", options))
            {
                if (item is DirectoryInfo directory)
                {
                    if (directory.LinkTarget is null)
                    {
                        folders.Push(directory);
                    }
                }
                else if (extensions.Contains(Path.GetExtension(item.Name)))
                {
                    entries.Add(Entry((FileInfo)item, root));
                }
            }
        }

        return Task.FromResult<IReadOnlyList<LandingEntry>>(entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList());
    }

    private static LandingEntry Entry(FileInfo file, string root)
    {
        var target = file;
        if (file.LinkTarget is not null)
        {
            var final = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo;
            if (final is null || !Path.GetFullPath(final.FullName).StartsWith(root, StringComparison.Ordinal))
            {
                return Skipped(file, $"a link to {Shown(final?.FullName ?? file.LinkTarget)}, outside the landing folder: links are never followed out of it");
            }

            target = final;
        }

        if (LocalFileKind.Of(target.FullName) is { } kind && kind != LocalFileKind.RegularFile)
        {
            return Skipped(file, $"a {kind}, not a regular file: only regular files are read");
        }

        return target.Exists
            ? new LandingEntry(file.FullName, target.Length, new DateTimeOffset(target.LastWriteTimeUtc, TimeSpan.Zero))
            : Skipped(file, "it went away while the folder was listed");
    }

    private static LandingEntry Skipped(FileInfo file, string why) => new(file.FullName, 0, DateTimeOffset.UnixEpoch, Skipped: why);

    private static string Shown(string path) => path.Length <= 200 ? path : path[..200] + "...";

    public Task<(string File, Action Release)> FetchAsync(LandingEntry entry, CancellationToken cancellationToken) =>
        Task.FromResult<(string, Action)>((entry.Path, () => { }
    ));

    public string RelativePath(LandingEntry entry) => Path.GetRelativePath(folder, entry.Path).Replace(Path.DirectorySeparatorChar, '/');
}

public sealed class GcsLandingStore(GcsUri prefix, GcsClient storage) : ILandingStore
{
    public string Location => prefix.ToString();

    public bool NeedsSettling => false;

    public bool Exists() => true;

    public async Task<IReadOnlyList<LandingEntry>> ListAsync(IReadOnlySet<string> extensions, CancellationToken cancellationToken) =>
        (await storage.ListAsync(prefix.Bucket, prefix.Name, cancellationToken))
        .Where(o => extensions.Contains(Path.GetExtension(o.Name)))
        .Select(o => new LandingEntry(o.ToString(), o.Size, o.Updated, o))
        .ToList();

    public async Task<(string File, Action Release)> FetchAsync(LandingEntry entry, CancellationToken cancellationToken)
    {
        var local = Path.Combine(Path.GetTempPath(), $"analytics-landing-{Guid.NewGuid():N}{Path.GetExtension(entry.Object!.Name)}");
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

    public string RelativePath(LandingEntry entry) => entry.Object!.Name[Math.Min(prefix.Name.Length, entry.Object.Name.Length)..].TrimStart('/');
}
