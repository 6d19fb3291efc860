using System.Text.Json;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>An erasure as recorded: never the id; what was removed, the rebuild's run, and where the id was still found (empty when complete).</summary>
public sealed record ErasureView(Guid ErasureId, string? Tenant, string RequestedBy, DateTimeOffset RequestedAt, string Status, Guid? RunId,
    JsonElement? Removed, JsonElement? Found, DateTimeOffset? FinishedAt);

/// <summary>The run store's record of erasures, and the scrubbing of what the run store itself kept of a subject (check samples).</summary>
public sealed class ErasureStore(NpgsqlDataSource dataSource)
{
    public async Task StartAsync(Guid erasureId, byte[] subjectHash, string? tenant, string requestedBy, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "insert into runstore.erasures (erasure_id, subject_hash, tenant, requested_by, status) values ($1, $2, $3, $4, 'erasing')");
        command.Parameters.AddWithValue(erasureId);
        command.Parameters.AddWithValue(subjectHash);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)tenant ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue(requestedBy);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<ErasureView> FinishAsync(Guid erasureId, bool complete, Guid? runId, object removed, IReadOnlyList<string> found, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update runstore.erasures set status = $2, run_id = $3, removed = $4::jsonb, found = $5::jsonb, finished_at = now() where erasure_id = $1
            """);
        command.Parameters.AddWithValue(erasureId);
        command.Parameters.AddWithValue(complete ? "complete" : "incomplete");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        command.Parameters.AddWithValue(JsonSerializer.Serialize(removed));
        command.Parameters.AddWithValue(JsonSerializer.Serialize(found));
        await command.ExecuteNonQueryAsync(cancellationToken);
        return (await GetAsync(erasureId, cancellationToken))!;
    }

    public async Task<ErasureView?> GetAsync(Guid erasureId, CancellationToken cancellationToken) =>
        (await ListAsync(erasureId, cancellationToken)).SingleOrDefault();

    /// <summary>Every erasure, newest first (or the one asked for).</summary>
    public async Task<IReadOnlyList<ErasureView>> ListAsync(Guid? only, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select erasure_id, tenant, requested_by, requested_at, status, run_id, removed::text, found::text, finished_at
            from runstore.erasures where $1::uuid is null or erasure_id = $1 order by requested_at desc limit 1000
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        var views = new List<ErasureView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            views.Add(new ErasureView(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetGuid(5),
                reader.IsDBNull(6) ? null : JsonDocument.Parse(reader.GetString(6)).RootElement,
                reader.IsDBNull(7) ? null : JsonDocument.Parse(reader.GetString(7)).RootElement,
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return views;
    }

    /// <summary>
    /// Forgets the table sizes recorded for <paramref name="assetKeys"/>, whose tables lost rows outside a build: an
    /// incremental build adds its write's delta to the recorded size, so the next one counts the table instead.
    /// </summary>
    public async Task ForgetSizesAsync(IReadOnlyList<string> assetKeys, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("update runstore.incremental_state set table_rows = null where asset_key = any($1)");
        command.Parameters.AddWithValue(assetKeys.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Removes what the run store kept that names the subject (as a whole word, <paramref name="pattern"/>): the failing
    /// rows checks kept as samples, in their records and in their runs' events. Returns how many were scrubbed.
    /// </summary>
    public async Task<long> ScrubAsync(string pattern, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var samples = new NpgsqlBatchCommand("update runstore.check_executions set sample = '[\"(removed by an erasure)\"]'::jsonb where sample::text ~ $1");
        samples.Parameters.AddWithValue(pattern);
        var events = new NpgsqlBatchCommand(
            "update runstore.events set payload = payload - 'Sample' - 'sample' where kind = 'check_result' and payload::text ~ $1");
        events.Parameters.AddWithValue(pattern);
        batch.BatchCommands.Add(samples);
        batch.BatchCommands.Add(events);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return (long)(samples.Rows + events.Rows);
    }
}
