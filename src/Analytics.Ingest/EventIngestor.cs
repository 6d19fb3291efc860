using System.Diagnostics;
using System.Text;
using Analytics.Core.Ingest;
using Analytics.Warehouse.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.Ingest;

/// <summary>
/// Loads event CSVs into <c>raw.raw_events</c> with binary COPY, streaming. Each file is one transaction: valid
/// rows, rejected rows (with line, raw text and reason) and the manifest entry land together or not at all.
/// Rows dated outside <paramref name="times"/> (by default <see cref="EventTimeRange.Default"/>) are rejected.
/// </summary>
public sealed class EventIngestor(NpgsqlDataSource dataSource, EventTimeRange? times = null) : IEventIngestor
{
    private readonly EventTimeRange _times = times ?? EventTimeRange.Default;

    /// <summary>
    /// Expands folders to the <c>*.csv</c> files inside them, in name order, leaving out hidden files and folders
    /// (a name starting with '.': <c>.analytics/</c> holds the app's own landing zone and sample data, <c>.git/</c> history).
    /// </summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths) => paths
        .SelectMany<string, string>(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*.csv", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden })
                .Where(file => !Path.GetRelativePath(p, file).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                .Order(StringComparer.Ordinal)
            : File.Exists(p) ? [p] : throw new FileNotFoundException($"{p}: no such file or folder; give CSV files or folders of them.", p))
        .ToList();

    public Task<IngestResult> IngestAsync(string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        IngestAsync(path, path, progress, cancellationToken);

    public async Task<IngestResult> IngestAsync(string file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        await WarehouseSchema.EnsureAsync(dataSource, cancellationToken);
        using var content = await IngestFile.OpenAsync(file, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (existing, fileId) = await IngestManifest.BeginAsync(connection, transaction, content.Hash, path, content.Bytes, cancellationToken);
        if (existing is not null)
        {
            return existing with { Duration = clock.Elapsed };
        }

        using var rejects = new RejectSpool();
        var erased = await PostgresErasure.ErasedAsync(connection, cancellationToken);
        var loaded = await CopyValidRowsAsync(connection, content, path, fileId, _times, rejects, progress, erased, cancellationToken);
        await CopyRejectsAsync(connection, path, fileId, rejects, cancellationToken);

        await IngestManifest.CompleteAsync(connection, transaction, fileId, loaded, rejects.Count, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new IngestResult(path, fileId, false, loaded + rejects.Count, loaded, rejects.Count, clock.Elapsed);
    }

    private static async Task<long> CopyValidRowsAsync(NpgsqlConnection connection, IngestFile file, string path, long fileId, EventTimeRange times,
        RejectSpool rejects, IProgress<long>? progress, Func<EventRow, bool>? erased, CancellationToken cancellationToken)
    {
        // The row loop is CPU-bound: rows are encoded straight into PostgreSQL's binary COPY format.
        await using var copy = await connection.BeginRawBinaryCopyAsync(
            $"copy raw.raw_events ({RawEventsBinaryEncoder.Columns}) from stdin (format binary)", cancellationToken);
        var encoder = new RawEventsBinaryEncoder(copy);
        long loaded;
        try
        {
            loaded = EventFileReader.Read(file, path, times, (long line, in EventRow row) => encoder.Write(fileId, line, in row), rejects, progress,
                cancellationToken, erased);
            await encoder.CompleteAsync(cancellationToken);
        }
        catch
        {
            // Abandon the COPY rather than let disposal finish it with half a file; the caller rolls back.
            await copy.CancelAsync();
            throw;
        }

        return loaded;
    }

    private static async Task CopyRejectsAsync(NpgsqlConnection connection, string path, long fileId, RejectSpool rejects, CancellationToken cancellationToken)
    {
        if (rejects.Count == 0)
        {
            return;
        }

        await using var copy = await connection.BeginBinaryImportAsync(
            "copy raw.raw_events_rejected (file_id, file_path, line_number, raw_text, reason) from stdin (format binary)", cancellationToken);
        foreach (var (line, raw, reason) in rejects.ReadAll())
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(fileId, NpgsqlDbType.Bigint, cancellationToken);
            await copy.WriteAsync(path, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(line, NpgsqlDbType.Bigint, cancellationToken);
            // PostgreSQL text cannot hold NUL; keep the row, visibly.
            await copy.WriteAsync(raw.Replace("\0", "\\0"), NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(reason.Replace("\0", "\\0"), NpgsqlDbType.Text, cancellationToken);
        }

        await copy.CompleteAsync(cancellationToken);
    }

    /// <summary>The SHA-256 of a file's bytes (the identity ingest keys its idempotency on), and its length.</summary>
    public static async Task<(string Hash, long Bytes)> HashAsync(string path, CancellationToken cancellationToken)
    {
        using var file = await IngestFile.OpenAsync(path, cancellationToken);
        return (file.Hash, file.Bytes);
    }
}
