using System.Diagnostics;
using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;
using Analytics.Ingest;
using Analytics.Warehouse.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// Loads the files of declared sources into <c>raw.KEY</c> with binary COPY, streaming. Each file is one transaction:
/// valid rows, rejected rows (with line, raw text and reason) and the manifest entry land together or not at all.
/// Rows whose event time is outside <paramref name="times"/> (by default <see cref="EventTimeRange.Default"/>) are rejected.
/// </summary>
public sealed class SourceIngestor(NpgsqlDataSource dataSource, EventTimeRange? times = null) : ISourceIngestor
{
    private readonly EventTimeRange _times = times ?? EventTimeRange.Default;

    /// <summary>
    /// Expands folders to the files of <paramref name="extension"/> (<c>.csv</c>) inside them, in name order, leaving out hidden files and folders
    /// (a name starting with '.': <c>.analytics/</c> holds the app's own landing zone and sample data, <c>.git/</c> history).
    /// </summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths, string extension = ".csv") => paths
        .SelectMany<string, string>(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*" + extension, new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden })
                .Where(file => !Path.GetRelativePath(p, file).Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.')))
                .Order(StringComparer.Ordinal)
            : File.Exists(p) ? [p] : throw new FileNotFoundException($"{p}: no such file or folder; give {extension} files or folders of them.", p))
        .ToList();

    public Task<IngestResult> IngestAsync(AssetDefinition source, string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default) =>
        IngestAsync(source, path, path, progress, cancellationToken);

    public async Task<IngestResult> IngestAsync(AssetDefinition source, string file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var declaration = IngestFile.Declaration(source);
        var clock = Stopwatch.StartNew();
        await PostgresSourceTables.EnsureAsync(dataSource, source, cancellationToken);
        using var content = await IngestFile.OpenAsync(file, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (existing, fileId) = await IngestManifest.BeginAsync(connection, transaction, source.Key.Name, content.Hash, path, content.Bytes, cancellationToken);
        if (existing is not null)
        {
            return existing with { Duration = clock.Elapsed };
        }

        using var rejects = new RejectSpool();
        var erased = Erased(declaration, await PostgresErasure.ErasedAsync(connection, cancellationToken));
        var loaded = await CopyValidRowsAsync(connection, source, content, path, fileId, _times, rejects, progress, erased, cancellationToken);
        await CopyRejectsAsync(connection, source, path, fileId, rejects, cancellationToken);

        await IngestManifest.CompleteAsync(connection, transaction, fileId, loaded, rejects.Count, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new IngestResult(path, fileId, false, loaded + rejects.Count, loaded, rejects.Count, clock.Elapsed);
    }

    /// <summary>The rows of erased subjects, by the source's subject column and tenant; null when the source has no subject or nothing was erased.</summary>
    private static Func<SourceRow, bool>? Erased(SourceDeclaration source, Func<string, string?, bool>? erased) =>
        erased is null || source.Subject is not { } subject
            ? null
            : row => row.TextOf(subject) is { } id && erased(id, row.TextOf(SourceDeclaration.TenantColumn));

    private static async Task<long> CopyValidRowsAsync(NpgsqlConnection connection, AssetDefinition source, IngestFile file, string path, long fileId,
        EventTimeRange times, RejectSpool rejects, IProgress<long>? progress, Func<SourceRow, bool>? erased, CancellationToken cancellationToken)
    {
        // The row loop is CPU-bound: rows are encoded straight into PostgreSQL's binary COPY format.
        var declaration = source.Source!;
        await using var copy = await connection.BeginRawBinaryCopyAsync(
            $"copy raw.{source.Key.Name} ({SourceBinaryEncoder.Columns(declaration)}) from stdin (format binary)", cancellationToken);
        var encoder = new SourceBinaryEncoder(copy, declaration);
        long loaded;
        try
        {
            loaded = SourceFileReader.Read(declaration, file, path, times, (line, row) => encoder.Write(fileId, line, row), rejects, progress,
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

    /// <summary>The rejected rows of a load, each with its line, raw text and reason, into <c>raw.KEY_rejected</c>.</summary>
    public static async Task CopyRejectsAsync(NpgsqlConnection connection, AssetDefinition source, string path, long fileId, RejectSpool rejects,
        CancellationToken cancellationToken)
    {
        if (rejects.Count == 0)
        {
            return;
        }

        await using var copy = await connection.BeginBinaryImportAsync(
            $"copy raw.{source.Key.Name}_rejected ({source.Source!.LoadIdColumn}, file_path, line_number, raw_text, reason) from stdin (format binary)",
            cancellationToken);
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
