using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Analytics.RunStore;

/// <summary>One retention deletion: the rows of <see cref="Source"/> dated before <see cref="KeptFrom"/>, per UTC day.</summary>
public sealed record RetentionDeletion(long Id, string Source, DateOnly KeptFrom, IReadOnlyDictionary<DateOnly, long> Days, long RowsDeleted,
    Guid? RunId, string RequestedBy, DateTimeOffset DeletedAt);

/// <summary><c>runstore.retention_deletions</c>: every deletion the retention job made, with its partitions and row counts.</summary>
public sealed class RetentionStore(NpgsqlDataSource runStore)
{
    public async Task<long> RecordAsync(string source, DateOnly keptFrom, IReadOnlyDictionary<DateOnly, long> days, string requestedBy,
        CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand(
            "insert into runstore.retention_deletions (source, kept_from, days, rows_deleted, requested_by) values ($1, $2, $3, $4, $5) returning deletion_id");
        command.Parameters.AddWithValue(source);
        command.Parameters.AddWithValue(keptFrom);
        command.Parameters.AddWithValue(NpgsqlDbType.Jsonb, JsonSerializer.Serialize(days.ToDictionary(d => d.Key.ToString("yyyy-MM-dd"), d => d.Value)));
        command.Parameters.AddWithValue(days.Values.Sum());
        command.Parameters.AddWithValue(requestedBy);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Notes the run that rebuilt what the deletion touched.</summary>
    public async Task AttachRunAsync(long deletionId, Guid runId, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("update runstore.retention_deletions set run_id = $2 where deletion_id = $1");
        command.Parameters.AddWithValue(deletionId);
        command.Parameters.AddWithValue(runId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<RetentionDeletion>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand(
            "select deletion_id, source, kept_from, days::text, rows_deleted, run_id, requested_by, deleted_at from runstore.retention_deletions "
            + "order by deletion_id desc limit $1");
        command.Parameters.AddWithValue(Math.Clamp(limit, 1, 500));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<RetentionDeletion>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var days = JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(3))!
                .ToDictionary(d => DateOnly.ParseExact(d.Key, "yyyy-MM-dd"), d => d.Value);
            list.Add(new RetentionDeletion(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<DateOnly>(2), days, reader.GetInt64(4),
                reader.IsDBNull(5) ? null : reader.GetGuid(5), reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return list;
    }
}
