using Npgsql;

namespace Analytics.RunStore;

/// <summary>One recorded extraction window of a database source, or the failure that stopped an extraction.</summary>
public sealed record Extraction(long Id, string Source, Guid? RunId, string? WindowFrom, string? WindowTo, long Rows, long Rejected, long Bytes,
    long DurationMs, string Status, string? Error, string? Warning, long? LoadId, DateTimeOffset FinishedAt);

/// <summary><c>runstore.extractions</c>: every window a database source's extraction committed, and every failure, newest first.</summary>
public sealed class ExtractionStore(NpgsqlDataSource runStore)
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    /// <summary>Not extracted: the source's connection is not configured where the run ran.</summary>
    public const string Skipped = "skipped";

    /// <summary>The most extractions one listing returns.</summary>
    public const int MaxList = 200;

    public async Task RecordAsync(Extraction extraction, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand(
            "insert into runstore.extractions (source, run_id, window_from, window_to, rows_loaded, rows_rejected, bytes, duration_ms, status, error, warning, load_id) "
            + "values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)");
        command.Parameters.AddWithValue(extraction.Source);
        command.Parameters.AddWithValue(extraction.RunId is { } run ? run : DBNull.Value);
        command.Parameters.AddWithValue(extraction.WindowFrom is { } from ? from : DBNull.Value);
        command.Parameters.AddWithValue(extraction.WindowTo is { } to ? to : DBNull.Value);
        command.Parameters.AddWithValue(extraction.Rows);
        command.Parameters.AddWithValue(extraction.Rejected);
        command.Parameters.AddWithValue(extraction.Bytes);
        command.Parameters.AddWithValue(extraction.DurationMs);
        command.Parameters.AddWithValue(extraction.Status);
        command.Parameters.AddWithValue(extraction.Error is { } error ? error : DBNull.Value);
        command.Parameters.AddWithValue(extraction.Warning is { } warning ? warning : DBNull.Value);
        command.Parameters.AddWithValue(extraction.LoadId is { } load ? load : DBNull.Value);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The latest extractions of <paramref name="source"/> (all sources when null), newest first.</summary>
    public async Task<IReadOnlyList<Extraction>> ListAsync(string? source, int limit, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand(
            "select extraction_id, source, run_id, window_from, window_to, rows_loaded, rows_rejected, bytes, duration_ms, status, error, warning, load_id, finished_at "
            + "from runstore.extractions where $1::text is null or source = $1 order by extraction_id desc limit $2");
        command.Parameters.AddWithValue(NpgsqlTypes.NpgsqlDbType.Text, source is null ? DBNull.Value : source);
        command.Parameters.AddWithValue(Math.Clamp(limit, 1, MaxList));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<Extraction>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new Extraction(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt64(5), reader.GetInt64(6),
                reader.GetInt64(7), reader.GetInt64(8), reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetInt64(12), reader.GetFieldValue<DateTimeOffset>(13)));
        }

        return list;
    }
}
