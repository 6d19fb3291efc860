using Npgsql;

namespace Analytics.RunStore;

/// <summary>One file a sensor has seen: what it was when last read, and what became of it.</summary>
public sealed record SensorFile(
    string Path, long Bytes, DateTimeOffset ModifiedAt, string ContentHash, string Status, string? Reason, long? RowsLoaded, long? RowsRejected,
    Guid? RunId, DateTimeOffset FirstSeenAt, DateTimeOffset ChangedAt);

/// <summary>A sensor: where it looks, when it last looked, and the files it has seen (newest first).</summary>
public sealed record SensorView(string Name, string Location, DateTimeOffset? SweptAt, string? LastError, IReadOnlyList<SensorFile> Files);

/// <summary>
/// The run store's memory of sensors: each file seen, by path, with the size, modification time and content hash it
/// had when read, so a file touched but unchanged is not ingested again and a file refused whole is not retried
/// until its content changes.
/// </summary>
public sealed class SensorFiles(NpgsqlDataSource runStore)
{
    /// <summary>Sensor statuses of a file.</summary>
    public const string Ingested = "ingested", AlreadyIngested = "already_ingested", Refused = "refused", Skipped = "skipped";

    public async Task<Dictionary<string, SensorFile>> KnownAsync(string sensor, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand(Columns + " where sensor = $1");
        command.Parameters.AddWithValue(sensor);
        var files = new Dictionary<string, SensorFile>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var file = Read(reader);
            files[file.Path] = file;
        }

        return files;
    }

    /// <summary>Records what became of a file (inserting or replacing its row).</summary>
    public async Task RecordAsync(string sensor, SensorFile file, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            insert into runstore.sensor_files (sensor, path, bytes, modified_at, content_hash, status, reason, rows_loaded, rows_rejected, run_id)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
            on conflict (sensor, path) do update set bytes = excluded.bytes, modified_at = excluded.modified_at,
                content_hash = excluded.content_hash, status = excluded.status, reason = excluded.reason, rows_loaded = excluded.rows_loaded,
                rows_rejected = excluded.rows_rejected, run_id = excluded.run_id, changed_at = now()
            """);
        command.Parameters.AddWithValue(sensor);
        command.Parameters.AddWithValue(file.Path);
        command.Parameters.AddWithValue(file.Bytes);
        command.Parameters.AddWithValue(file.ModifiedAt.ToUniversalTime());
        command.Parameters.AddWithValue(file.ContentHash);
        command.Parameters.AddWithValue(file.Status);
        command.Parameters.AddWithValue((object?)file.Reason ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)file.RowsLoaded ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)file.RowsRejected ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)file.RunId ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A file touched but with the content it had: only its size and time are brought up to date.</summary>
    public async Task TouchAsync(string sensor, string path, DateTimeOffset modifiedAt, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("update runstore.sensor_files set modified_at = $3 where sensor = $1 and path = $2");
        command.Parameters.AddWithValue(sensor);
        command.Parameters.AddWithValue(path);
        command.Parameters.AddWithValue(modifiedAt.ToUniversalTime());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Links the files a sweep ingested to the run it started.</summary>
    public async Task AttachRunAsync(string sensor, IReadOnlyList<string> paths, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("update runstore.sensor_files set run_id = $3 where sensor = $1 and path = any($2)");
        command.Parameters.AddWithValue(sensor);
        command.Parameters.AddWithValue(paths.ToArray());
        command.Parameters.AddWithValue(runId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SweptAsync(string sensor, string location, string? error, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            insert into runstore.sensor_state (sensor, location, swept_at, last_error) values ($1, $2, now(), $3)
            on conflict (sensor) do update set location = excluded.location, swept_at = now(), last_error = excluded.last_error
            """);
        command.Parameters.AddWithValue(sensor);
        command.Parameters.AddWithValue(location);
        command.Parameters.AddWithValue((object?)error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether a run the sensor started is still queued or running (files arriving meanwhile wait for the next one).</summary>
    public async Task<bool> RunGoingAsync(string requestedBy, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand(
            "select exists (select 1 from runstore.runs where requested_by = $1 and status in ('queued', 'running'))");
        command.Parameters.AddWithValue(requestedBy);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>The sensor as the API shows it: its state and its <paramref name="limit"/> most recently changed files.</summary>
    public async Task<SensorView?> GetAsync(string sensor, string location, int limit, CancellationToken cancellationToken)
    {
        DateTimeOffset? sweptAt = null;
        string? error = null;
        await using (var state = runStore.CreateCommand("select swept_at, last_error from runstore.sensor_state where sensor = $1"))
        {
            state.Parameters.AddWithValue(sensor);
            await using var reader = await state.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                sweptAt = reader.GetFieldValue<DateTimeOffset>(0);
                error = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }

        await using var command = runStore.CreateCommand(Columns + " where sensor = $1 order by changed_at desc, path limit $2");
        command.Parameters.AddWithValue(sensor);
        command.Parameters.AddWithValue(limit);
        var files = new List<SensorFile>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                files.Add(Read(reader));
            }
        }

        return new SensorView(sensor, location, sweptAt, error, files);
    }

    private const string Columns = """
        select path, bytes, modified_at, content_hash, status, reason, rows_loaded, rows_rejected, run_id, first_seen_at, changed_at
        from runstore.sensor_files
        """;

    private static SensorFile Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3), reader.GetString(4),
        reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.IsDBNull(7) ? null : reader.GetInt64(7),
        reader.IsDBNull(8) ? null : reader.GetGuid(8), reader.GetFieldValue<DateTimeOffset>(9), reader.GetFieldValue<DateTimeOffset>(10));
}
