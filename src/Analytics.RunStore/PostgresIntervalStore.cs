using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>
/// The run store's record of incremental assets (like SQLMesh's intervals): <c>runstore.incremental_state</c>, the load
/// and definitions each asset is current with, and <c>runstore.asset_partitions</c>, each partition with the run
/// that built it and why. Written after the warehouse commits, so a crash between the two re-runs the same,
/// idempotent replacement instead of skipping one.
/// </summary>
public sealed class PostgresIntervalStore(NpgsqlDataSource dataSource) : IIntervalStore
{
    public async Task<IncrementalState?> GetAsync(string assetKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select load_id, lineage_hash, table_rows from runstore.incremental_state where asset_key = $1");
        command.Parameters.AddWithValue(assetKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new IncrementalState(reader.GetInt64(0), reader.GetString(1)) { TableRows = reader.IsDBNull(2) ? null : reader.GetInt64(2) }
            : null;
    }

    public async Task<IReadOnlyList<DateOnly>> BuiltPartitionsAsync(string assetKey, CancellationToken cancellationToken) =>
        (await ListAsync(assetKey, cancellationToken)).Select(p => p.Start).ToList();

    /// <summary>Every recorded partition of the asset, oldest first.</summary>
    public async Task<IReadOnlyList<PartitionRecord>> ListAsync(string assetKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select partition_start, reason, run_id, built_at from runstore.asset_partitions where asset_key = $1 order by partition_start");
        command.Parameters.AddWithValue(assetKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var partitions = new List<PartitionRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            partitions.Add(new PartitionRecord(reader.GetFieldValue<DateOnly>(0), WireName.Parse<PartitionReason>(reader.GetString(1)),
                reader.GetGuid(2), reader.GetFieldValue<DateTimeOffset>(3)));
        }

        return partitions;
    }

    public async Task RecordAsync(string assetKey, Guid runId, IncrementalState state, IReadOnlyList<PartitionBuild> partitions, bool replaceAll,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (replaceAll)
        {
            batch.BatchCommands.Add(Command("delete from runstore.asset_partitions where asset_key = $1", assetKey));
        }

        batch.BatchCommands.Add(Command("""
            insert into runstore.incremental_state (asset_key, load_id, lineage_hash, run_id, table_rows) values ($1, $2, $3, $4, $5)
            on conflict (asset_key) do update set load_id = excluded.load_id, lineage_hash = excluded.lineage_hash,
                run_id = excluded.run_id, table_rows = excluded.table_rows, updated_at = now()
            """, assetKey, state.LoadId, state.LineageHash, runId, (object?)state.TableRows ?? DBNull.Value));
        if (partitions.Count > 0)
        {
            batch.BatchCommands.Add(Command("""
                insert into runstore.asset_partitions (asset_key, partition_start, run_id, reason)
                select $1, p.start, $2, p.reason from unnest($3::date[], $4::text[]) as p(start, reason)
                on conflict (asset_key, partition_start) do update set run_id = excluded.run_id, reason = excluded.reason, built_at = now()
                """, assetKey, runId, partitions.Select(p => p.Start).ToArray(), partitions.Select(p => WireName.Of(p.Reason)).ToArray()));
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }
}

/// <summary>One recorded partition: its start, why it was last built, by which run and when.</summary>
public sealed record PartitionRecord(DateOnly Start, PartitionReason Reason, Guid RunId, DateTimeOffset BuiltAt);
