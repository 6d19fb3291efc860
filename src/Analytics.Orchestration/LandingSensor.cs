using Analytics.Core.Assets;
using Analytics.Core.Selection;
using Analytics.Ingest;
using Analytics.RunStore;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.Logging;

namespace Analytics.Orchestration;

/// <summary>What one sweep of the landing folder did.</summary>
public sealed record SensorSweep(int Seen, IReadOnlyList<string> Ingested, IReadOnlyList<string> Unchanged, IReadOnlyList<string> Refused,
    Guid? RunId, string? Skipped);

/// <summary>
/// Watches the landing zone (<c>Analytics__Landing</c>: a folder, default <c>&lt;ANALYTICS_HOME&gt;/landing</c>, or a
/// <c>gs://bucket/prefix</c>): a new or changed file of a landing source (by content hash; see <see cref="LandingRoutes"/>)
/// is ingested into its source, then one run of the loaded sources and their downstream (<c>raw_events+</c>) starts
/// for everything the sweep loaded. While that run is queued or running, new files wait and go into the next run together. A file touched but
/// unchanged is not read again; a file refused whole is recorded with its reason and not retried until its content
/// changes. One worker sweeps at a time (an advisory lock in the run store); any number may try.
/// </summary>
public sealed class LandingSensor(AssetProject project, ISourceIngestor ingestor, SensorFiles files, PostgresAssetLocks locks, RunQueue queue,
    ILandingStore store, ILogger logger, TimeProvider? clock = null, int maxFilesPerSweep = LandingSensor.MaxFilesPerSweep)
{
    public const string Name = "landing";

    /// <summary>The selection a sweep that loaded rows of raw_events materializes; each other source loaded adds itself the same way.</summary>
    public const string Selection = "raw_events+";

    /// <summary>Who the sensor's runs say requested them.</summary>
    public const string RequestedBy = "sensor:" + Name;

    /// <summary>The most new or changed files one sweep ingests; the rest wait for the next sweep (a folder of millions is read in slices).</summary>
    public const int MaxFilesPerSweep = 1_000;

    /// <summary>A file modified more recently than this may still be being written: it waits for the next sweep.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    private readonly LandingRoutes _routes = new(project);
    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public string Folder => store.Location;

    public async Task<SensorSweep> SweepAsync(CancellationToken cancellationToken)
    {
        // A session lock on a connection of its own, so no transaction stays open while files load (the asset locks'
        // mechanism, under a name with a ':' that no asset file is called).
        await using var turn = await locks.TryAcquireAsync("sensor:" + Name, cancellationToken);
        if (turn is null)
        {
            return Nothing("another worker is sweeping");
        }

        if (!store.Exists())
        {
            await files.SweptAsync(Name, store.Location, null, cancellationToken);
            return Nothing("the landing folder does not exist yet");
        }

        if (await files.RunGoingAsync(RequestedBy, cancellationToken))
        {
            return Nothing("the sensor's previous run is still going; new files go into the next run");
        }

        var known = await files.KnownAsync(Name, cancellationToken);
        var now = _clock.GetUtcNow();
        var ingested = new List<string>();
        var unchanged = new List<string>();
        var refused = new List<string>();
        var seen = 0;
        _loaded.Clear();
        foreach (var entry in await store.ListAsync(_routes.Extensions, cancellationToken))
        {
            if (ingested.Count + refused.Count >= maxFilesPerSweep)
            {
                break;
            }

            seen++;
            var path = entry.Path;
            if (entry.Skipped is { } why)
            {
                // Never opened; said once in /api/sensors (and again only if the reason changes).
                if (known.GetValueOrDefault(path) is not { Status: SensorFiles.Skipped } said || said.Reason != why)
                {
                    logger.LogWarning("Landing sensor skipped {Path}: {Reason}", path, why);
                    await files.RecordAsync(Name, new SensorFile(path, 0, entry.Modified, "", SensorFiles.Skipped, why, null, null, null, default, default),
                        cancellationToken);
                }

                continue;
            }

            var modified = Microseconds(entry.Modified.UtcDateTime);
            if (store.NeedsSettling && now - modified < Settle)
            {
                continue;
            }

            var before = known.GetValueOrDefault(path);
            if (before is not null && before.Bytes == entry.Bytes && before.ModifiedAt == modified)
            {
                continue;
            }

            try
            {
                var (file, release) = await store.FetchAsync(entry, cancellationToken);
                try
                {
                    var (hash, bytes) = await SourceIngestor.HashAsync(file, cancellationToken);
                    if (before is not null && before.ContentHash == hash)
                    {
                        // Touched, copied over with the same bytes, or its time changed: nothing new to load.
                        await files.TouchAsync(Name, path, modified, cancellationToken);
                        unchanged.Add(path);
                        continue;
                    }

                    var (source, problem) = _routes.Route(store.RelativePath(entry));
                    if (source is null)
                    {
                        await files.RecordAsync(Name, new SensorFile(path, bytes, modified, hash, SensorFiles.Refused, $"{path}: {problem}", null, null, null,
                            default, default), cancellationToken);
                        refused.Add(path);
                        continue;
                    }

                    await IngestAsync(source, file, path, bytes, modified, hash, ingested, refused, cancellationToken);
                }
                finally
                {
                    release();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Deleted, moved or locked between listing and reading: the next sweep sees what is there then.
                logger.LogWarning("Landing sensor could not read {Path} ({Message}); trying again next sweep", path, e.Message);
            }
        }

        Guid? runId = null;
        if (ingested.Count > 0)
        {
            var selection = string.Join(" ", _loaded.Order(StringComparer.Ordinal).Select(s => s + "+"));
            var plan = SelectionParser.Parse(selection).ResolveOrdered(project.Graph);
            runId = await queue.EnqueueAsync(selection, plan, RequestedBy, cancellationToken: cancellationToken);
            await files.AttachRunAsync(Name, ingested, runId.Value, cancellationToken);
            logger.LogInformation("Landing sensor ingested {Count} file(s); run {RunId} of '{Selection}' queued", ingested.Count, runId, selection);
        }

        await files.SweptAsync(Name, store.Location, null, cancellationToken);
        return new SensorSweep(seen, ingested, unchanged, refused, runId, null);
    }

    private async Task IngestAsync(Core.Assets.AssetDefinition source, string file, string path, long bytes, DateTimeOffset modified, string hash,
        List<string> ingested, List<string> refused, CancellationToken cancellationToken)
    {
        try
        {
            var result = await ingestor.IngestAsync(source, file, path, null, cancellationToken);
            if (result.AlreadyIngested)
            {
                await files.RecordAsync(Name, new SensorFile(path, bytes, modified, hash, SensorFiles.AlreadyIngested,
                    $"the same content was ingested before as file #{result.FileId}", 0, 0, null, default, default), cancellationToken);
                return;
            }

            await files.RecordAsync(Name, new SensorFile(path, bytes, modified, hash, SensorFiles.Ingested, null, result.RowsLoaded, result.RowsRejected,
                null, default, default), cancellationToken);
            ingested.Add(path);
            _loaded.Add(source.Key.Name);
        }
        catch (IngestException e)
        {
            // Refused whole: remembered with its hash, so it is reported once and not retried until it changes.
            logger.LogWarning("Landing sensor refused {Path}: {Reason}", path, e.Message);
            await files.RecordAsync(Name, new SensorFile(path, bytes, modified, hash, SensorFiles.Refused, e.Message, null, null, null, default, default),
                cancellationToken);
            refused.Add(path);
        }
    }

    private static SensorSweep Nothing(string why) => new(0, [], [], [], null, why);

    /// <summary>The run store keeps microseconds; compare file times at that precision.</summary>
    private static DateTimeOffset Microseconds(DateTime utc) => new(utc.Ticks - utc.Ticks % 10, TimeSpan.Zero);
}
