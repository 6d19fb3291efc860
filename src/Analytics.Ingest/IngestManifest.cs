using Npgsql;

namespace Analytics.Ingest;

/// <summary>
/// <c>raw.ingest_manifest</c>, the record that makes ingest idempotent by content: one row per source and SHA-256 (or database extraction window), written in the
/// same transaction that loads the file (PostgreSQL), or committed only once the warehouse has the rows (BigQuery).
/// </summary>
public static class IngestManifest
{
    /// <summary>
    /// Held shared by every ingest transaction and taken exclusively to read the watermark: reading waits for the loads
    /// in flight, and any load after it gets a higher file id.
    /// </summary>
    private const long LoadsLock = 727003;

    /// <summary>
    /// The highest file id whose load has committed, with none below it still loading: what an incremental run covers.
    /// </summary>
    public static async Task<long> WatermarkAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var wait = new NpgsqlCommand($"select pg_advisory_xact_lock({LoadsLock})", connection, transaction))
        {
            await wait.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand("select coalesce(max(file_id), 0) from raw.ingest_manifest", connection, transaction);
        var watermark = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return watermark;
    }

    /// <summary>
    /// Locks <paramref name="hash"/> (within <paramref name="source"/>) for the transaction (a second ingest of the same content waits, then sees the
    /// first's row) and returns the earlier ingest of it, or the new file id with <c>Existing</c> null.
    /// </summary>
    public static async Task<(IngestResult? Existing, long FileId)> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string source,
        string hash, string path, long bytes, CancellationToken cancellationToken)
    {
        await using (var loads = new NpgsqlCommand($"select pg_advisory_xact_lock_shared({LoadsLock})", connection, transaction))
        {
            await loads.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue(source + ":" + hash);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var find = new NpgsqlCommand(
            "select file_id, rows_read, rows_loaded, rows_rejected from raw.ingest_manifest where source = $1 and content_hash = $2", connection, transaction))
        {
            find.Parameters.AddWithValue(source);
            find.Parameters.AddWithValue(hash);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return (new IngestResult(path, reader.GetInt64(0), true, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), TimeSpan.Zero),
                    reader.GetInt64(0));
            }
        }

        await using var insert = new NpgsqlCommand(
            "insert into raw.ingest_manifest (source, file_path, content_hash, bytes) values ($1, $2, $3, $4) returning file_id", connection, transaction);
        insert.Parameters.AddWithValue(source);
        insert.Parameters.AddWithValue(path);
        insert.Parameters.AddWithValue(hash);
        insert.Parameters.AddWithValue(bytes);
        return (null, (long)(await insert.ExecuteScalarAsync(cancellationToken))!);
    }

    /// <summary>Records what the file gave.</summary>
    public static async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long fileId, long loaded, long rejected,
        CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand(
            "update raw.ingest_manifest set rows_read = $2, rows_loaded = $3, rows_rejected = $4 where file_id = $1", connection, transaction);
        update.Parameters.AddWithValue(fileId);
        update.Parameters.AddWithValue(loaded + rejected);
        update.Parameters.AddWithValue(loaded);
        update.Parameters.AddWithValue(rejected);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
