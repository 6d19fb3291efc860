using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Ingest;
using Analytics.Warehouse.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.Ingest;

/// <summary>
/// Loads event CSVs into <c>raw.raw_events</c> with binary COPY, streaming. Each file is one transaction: valid
/// rows, rejected rows (with line, raw text and reason) and the manifest entry land together or not at all.
/// </summary>
public sealed class EventIngestor(NpgsqlDataSource dataSource)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Expands folders to the <c>*.csv</c> files inside them, in name order.</summary>
    public static IReadOnlyList<string> ExpandPaths(IEnumerable<string> paths) => paths
        .SelectMany<string, string>(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : File.Exists(p) ? [p] : throw new FileNotFoundException($"{p}: no such file or folder; give CSV files or folders of them.", p))
        .ToList();

    public async Task<IngestResult> IngestAsync(string path, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        await WarehouseSchema.EnsureAsync(dataSource, cancellationToken);
        var (hash, bytes) = await HashAsync(path, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Serialise ingests of the same content: the second one waits, then sees the first's manifest row.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue(hash);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var existing = await FindAsync(connection, hash, cancellationToken);
        if (existing is not null)
        {
            return existing with { FilePath = path, AlreadyIngested = true, Duration = clock.Elapsed };
        }

        long fileId;
        await using (var insert = new NpgsqlCommand(
            "insert into raw.ingest_manifest (file_path, content_hash, bytes) values ($1, $2, $3) returning file_id", connection, transaction))
        {
            insert.Parameters.AddWithValue(path);
            insert.Parameters.AddWithValue(hash);
            insert.Parameters.AddWithValue(bytes);
            fileId = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        using var rejects = new RejectSpool();
        var loaded = await CopyValidRowsAsync(connection, path, fileId, rejects, progress, cancellationToken);
        await CopyRejectsAsync(connection, path, fileId, rejects, cancellationToken);

        await using (var update = new NpgsqlCommand(
            "update raw.ingest_manifest set rows_read = $2, rows_loaded = $3, rows_rejected = $4 where file_id = $1", connection, transaction))
        {
            update.Parameters.AddWithValue(fileId);
            update.Parameters.AddWithValue(loaded + rejects.Count);
            update.Parameters.AddWithValue(loaded);
            update.Parameters.AddWithValue(rejects.Count);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new IngestResult(path, fileId, false, loaded + rejects.Count, loaded, rejects.Count, clock.Elapsed);
    }

    private static async Task<long> CopyValidRowsAsync(
        NpgsqlConnection connection, string path, long fileId, RejectSpool rejects, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        RefuseUtf16(path);
        using var csv = new CsvRecordReader(new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16));
        var validator = ReadHeader(csv, path);
        // The row loop is CPU-bound: rows are encoded straight into PostgreSQL's binary COPY format.
        await using var copy = await connection.BeginRawBinaryCopyAsync(
            $"copy raw.raw_events ({RawEventsBinaryEncoder.Columns}) from stdin (format binary)", cancellationToken);
        var encoder = new RawEventsBinaryEncoder(copy);
        long loaded = 0;
        try
        {
            while (Next(csv, path))
            {
                var reason = validator.Validate(csv, out var row);
                if (reason is not null)
                {
                    rejects.Add(csv.Line, csv.RawText, reason);
                    continue;
                }

                encoder.Write(fileId, csv.Line, in row);
                if (++loaded % 100_000 == 0)
                {
                    progress?.Report(loaded + rejects.Count);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            await encoder.CompleteAsync(cancellationToken);
        }
        catch
        {
            // Abandon the COPY rather than let disposal finish it with half a file; the caller rolls back.
            await copy.CancelAsync();
            throw;
        }

        progress?.Report(loaded + rejects.Count);
        return loaded;
    }

    /// <summary>A UTF-16 file (its byte-order mark says so) is refused whole, with how to convert it.</summary>
    private static void RefuseUtf16(string path)
    {
        Span<byte> start = stackalloc byte[2];
        using var file = File.OpenRead(path);
        if (file.ReadAtLeast(start, 2, throwOnEndOfStream: false) == 2 && start[0] + start[1] == 0xFF + 0xFE && start[0] is 0xFF or 0xFE)
        {
            throw new IngestException(path, 1, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8, "
                                               + "e.g. 'iconv -f UTF-16 -t UTF-8 in.csv > out.csv', and ingest that");
        }
    }

    private static EventRowValidator ReadHeader(CsvRecordReader csv, string path)
    {
        if (!Next(csv, path))
        {
            throw new IngestException(path, 1, "the file is empty; it needs a header row naming " + string.Join(",", EventSchema.Columns));
        }

        if (csv.Oversized)
        {
            throw new IngestException(path, 1, $"the header row is longer than {csv.MaxRecordLength:N0} characters; "
                                               + "the first line must be the header: " + string.Join(",", EventSchema.Columns));
        }

        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv[i].ToString()).ToList();
        var map = EventSchema.MapHeader(header, out var problem);
        if (problem is not null)
        {
            throw new IngestException(path, csv.Line, problem);
        }

        return new EventRowValidator(map, csv.FieldCount);
    }

    private static bool Next(CsvRecordReader csv, string path)
    {
        try
        {
            return csv.Read();
        }
        catch (DecoderFallbackException)
        {
            throw new IngestException(path, csv.Line, "the file has bytes that are not UTF-8; re-save it as UTF-8");
        }
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

    private static async Task<IngestResult?> FindAsync(NpgsqlConnection connection, string hash, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "select file_id, rows_read, rows_loaded, rows_rejected from raw.ingest_manifest where content_hash = $1", connection);
        command.Parameters.AddWithValue(hash);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new IngestResult("", reader.GetInt64(0), true, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), TimeSpan.Zero)
            : null;
    }

    /// <summary>The SHA-256 of a file's bytes (the identity ingest keys its idempotency on), and its length.</summary>
    public static async Task<(string Hash, long Bytes)> HashAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var hash = await SHA256.HashDataAsync(stream, cancellationToken);
        return (Convert.ToHexStringLower(hash), stream.Length);
    }
}
