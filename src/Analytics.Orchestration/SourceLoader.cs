using System.Diagnostics;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Sources;
using Analytics.Ingest;
using Analytics.RunStore;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Analytics.Orchestration;

/// <summary>
/// Loads a declared source when a run materializes it: a database source extracts its due windows (each recorded in
/// <c>runstore.extractions</c>, a failure too); a source read from a folder or a <c>gs://</c> prefix ingests the files
/// there it has not loaded (the manifest skips those it has). A landing source is the landing sensor's to load. A
/// database source whose connection is not set where the run runs is not extracted, with a warning and a record saying so.
/// </summary>
public sealed class SourceLoader(Func<IExtractionTarget> extractionTarget, NpgsqlDataSource runStore, ISourceIngestor ingestor, AnalyticsSettings settings,
    Func<GcsClient>? storage = null, ILogger? logger = null) : ISourceLoader
{
    private readonly ExtractionStore _extractions = new(runStore);
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    public async Task LoadAsync(Guid runId, AssetDefinition source, CancellationToken cancellationToken)
    {
        string? loaded = source.Source?.Origin switch
        {
            DatabaseOrigin => await ExtractAsync(runId, source, cancellationToken),
            FileOrigin { Location: not FileOrigin.Landing } files => await IngestFolderAsync(source, files, cancellationToken),
            _ => null,
        };
        if (loaded is not null)
        {
            _logger.LogInformation("{Loaded}", loaded);
        }
    }

    /// <summary>Extracts the source's due windows; what was loaded, or null when it was not extracted here (said as a warning).</summary>
    private async Task<string?> ExtractAsync(Guid runId, AssetDefinition source, CancellationToken cancellationToken)
    {
        var connection = ((DatabaseOrigin)source.Source!.Origin).Connection;
        var why = Connection(connection) is null
            ? $"ConnectionStrings__{connection} is not set here, so {source.Key.Name} was not extracted; set it to read the source"
            : null;
        if (why is not null)
        {
            // Not extractable here (a laptop without the app's database, a BigQuery warehouse): the source stays as it is, and says why.
            _logger.LogWarning("{Source}: {Why}", source.Key.Name, why);
            await _extractions.RecordAsync(new Extraction(0, source.Key.Name, runId, null, null, 0, 0, 0, 0, ExtractionStore.Skipped, why, null, null, default),
                CancellationToken.None);
            return null;
        }

        // The registered warehouse's target (a new one an extraction: it keeps what it set aside until the last window).
        var target = extractionTarget();
        var clock = Stopwatch.StartNew();
        var extractor = new DatabaseExtractor(target, Connection, settings.EventTimes);
        try
        {
            var windows = await extractor.ExtractAsync(source, async window =>
            {
                if (window.Warning is { } warning)
                {
                    _logger.LogWarning("{Source}: {Warning}", source.Key.Name, warning);
                }

                await _extractions.RecordAsync(new Extraction(0, window.Source, runId, window.From, window.To, window.Rows, window.Rejected, window.Bytes,
                    (long)window.Duration.TotalMilliseconds, ExtractionStore.Succeeded, null, window.Warning, window.LoadId, default), CancellationToken.None);
            }, cancellationToken);
            return $"{source.Key.Name}: {windows.Count} window(s), {windows.Sum(w => w.Rows):N0} row(s) loaded, {windows.Sum(w => w.Rejected):N0} rejected";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await _extractions.RecordAsync(new Extraction(0, source.Key.Name, runId, null, null, 0, 0, 0, (long)clock.Elapsed.TotalMilliseconds,
                ExtractionStore.Failed, e.Message, null, null, default), CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// <c>ConnectionStrings__NAME</c>; unset, <c>runstore</c> is the run store this process uses (the embedded one, say),
    /// so the audit log is a source wherever the platform runs.
    /// </summary>
    private string? Connection(string name) =>
        settings.SourceConnections(name) ?? (name == "runstore" ? runStore.ConnectionString : null);

    private async Task<string> IngestFolderAsync(AssetDefinition source, FileOrigin files, CancellationToken cancellationToken)
    {
        // A folder is relative to the project: the folder holding assets-sql/.
        var project = Path.GetDirectoryName(Path.GetFullPath(AnalyticsEnvironment.AssetsFolder(settings)))!;
        var location = GcsUri.IsGcs(files.Location) ? files.Location : Path.GetFullPath(Path.Combine(project, files.Location));
        if (!GcsUri.IsGcs(location) && !Directory.Exists(location))
        {
            return $"{source.Key.Name}: the folder {location} does not exist yet; nothing to load";
        }

        var bucket = new Lazy<GcsClient>(() => storage?.Invoke()
            ?? throw new InvalidOperationException($"{source.SourcePath}: reading {files.Location} needs Cloud Storage; set the Analytics__BigQuery__* settings."));
        var found = await SourceFiles.ExpandAsync([location], () => bucket.Value, cancellationToken, files.Extension);
        long loaded = 0, rejected = 0, newFiles = 0;
        foreach (var file in found)
        {
            var result = await file.IngestAsync(ingestor, source, file.Object is not null ? bucket.Value : null, null, cancellationToken);
            if (!result.AlreadyIngested)
            {
                (loaded, rejected, newFiles) = (loaded + result.RowsLoaded, rejected + result.RowsRejected, newFiles + 1);
            }
        }

        return $"{source.Key.Name}: {newFiles} new file(s) of {found.Count}, {loaded:N0} row(s) loaded, {rejected:N0} rejected";
    }
}
