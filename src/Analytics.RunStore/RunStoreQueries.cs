using System.Text.Json;
using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>Read-side queries over the run store.</summary>
public sealed class RunStoreQueries(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Calls <paramref name="changed"/> whenever a run records a change (<see cref="RunStoreRecorder.ChangesChannel"/>), and
    /// <paramref name="listening"/> once the listener is in place, until <paramref name="cancellationToken"/> fires.
    /// </summary>
    public Task ListenForChangesAsync(Action changed, Action listening, CancellationToken cancellationToken) =>
        RunStoreNotifications.ListenAsync(dataSource, RunStoreRecorder.ChangesChannel, changed, listening, cancellationToken);

    /// <summary>The run store's schema version (0 before the first migration); throws when it does not answer.</summary>
    public async Task<int> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select coalesce(max(version), 0) from runstore.schema_migrations");
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyDictionary<string, AssetStatus>> AssetStatusesAsync(CancellationToken cancellationToken = default)
    {
        const string sql = """
            with latest_materialization as (
                select distinct on (asset_key) asset_key, materialized_at, table_rows, rows
                from runstore.materializations order by asset_key, materialization_id desc
            ), latest_check as (
                select distinct on (asset_key, check_name) asset_key, passed
                from runstore.check_executions order by asset_key, check_name, execution_id desc
            ), checks as (
                select asset_key, count(*) filter (where passed) as passed, count(*) as run from latest_check group by asset_key
            ), latest_step as (
                select distinct on (asset_key) asset_key, status
                from runstore.steps
                where status not in ('queued', 'running', 'waiting') order by asset_key, finished_at desc nulls last
            ), verified as (
                select s.asset_key, max(s.finished_at) as at from runstore.steps s join runstore.runs r using (run_id)
                where s.status = 'succeeded' and not r.checks_only group by s.asset_key
            ), running as (
                select distinct s.asset_key from runstore.runs r join runstore.steps s using (run_id)
                where r.status = 'running' and s.status = 'running'
            )
            select k.asset_key, m.materialized_at, m.table_rows, s.status, coalesce(c.passed, 0)::int, coalesce(c.run, 0)::int, g.asset_key is not null, m.rows,
                   v.at
            from (select asset_key from latest_materialization union select asset_key from checks union select asset_key from latest_step
                  union select asset_key from running) k
            left join latest_materialization m using (asset_key)
            left join checks c using (asset_key)
            left join latest_step s using (asset_key)
            left join running g using (asset_key)
            left join verified v using (asset_key)
            """;
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var statuses = new Dictionary<string, AssetStatus>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses[reader.GetString(0)] = new AssetStatus(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt32(4),
                reader.GetInt32(5),
                reader.GetBoolean(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7))
            {
                UpToDateAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
            };
        }

        return statuses;
    }

    /// <summary>Runs newest first; with <paramref name="status"/>, only runs in that status.</summary>
    public async Task<IReadOnlyList<RunView>> ListRunsAsync(int page, int pageSize, RunStatus? status = null, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(RunColumns + " where ($3::text is null or status = $3) order by created_at desc limit $1 offset $2");
        command.Parameters.AddWithValue(pageSize);
        command.Parameters.AddWithValue((page - 1) * pageSize);
        command.Parameters.Add(new NpgsqlParameter { Value = status is { } s ? WireName.Of(s) : DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        var runs = new List<RunView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            runs.Add(ReadRun(reader, steps: null));
        }

        return runs;
    }

    public async Task<RunView?> GetRunAsync(Guid runId, CancellationToken cancellationToken = default)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(RunColumns + " where run_id = $1") { Parameters = { new() { Value = runId } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            select asset_key, status, started_at, finished_at,
                   extract(epoch from finished_at - started_at) * 1000, rows, error
            from runstore.steps where run_id = $1
            order by ordinal nulls last, started_at nulls last, asset_key
            """) { Parameters = { new() { Value = runId } } });
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var run = ReadRun(reader, steps: null);
        await reader.NextResultAsync(cancellationToken);
        var steps = new List<StepView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            steps.Add(new StepView(reader.GetString(0), reader.GetString(1), Nullable<DateTimeOffset>(reader, 2), Nullable<DateTimeOffset>(reader, 3),
                reader.IsDBNull(4) ? null : (double)reader.GetDecimal(4), Nullable<long>(reader, 5), reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return run with { Steps = steps };
    }

    /// <summary>The run's events after <paramref name="afterEventId"/>, oldest first.</summary>
    public async Task<IReadOnlyList<RunEvent>> EventsAsync(Guid runId, long afterEventId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "select event_id, run_id, at, kind, asset_key, message, payload from runstore.events where run_id = $1 and event_id > $2 order by event_id");
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(afterEventId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<RunEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new RunEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : JsonDocument.Parse(reader.GetString(6)).RootElement));
        }

        return events;
    }

    public async Task<MaterializationView?> LatestMaterializationAsync(string assetKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            select run_id, materialized_at, table_rows, duration_ms, columns::text, sql_hash, rows from runstore.materializations
            where asset_key = $1 order by materialization_id desc limit 1
            """);
        command.Parameters.AddWithValue(assetKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MaterializationView(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), Nullable<long>(reader, 2), reader.GetDouble(3),
                JsonSerializer.Deserialize<List<ColumnInfo>>(reader.GetString(4), RunStoreRecorder.JsonOptions) ?? [], reader.IsDBNull(5) ? null : reader.GetString(5),
                Nullable<long>(reader, 6))
            : null;
    }

    /// <summary>The asset's latest <paramref name="limit"/> materializations, oldest first: rows and duration over time.</summary>
    public async Task<IReadOnlyList<MaterializationPoint>> MaterializationHistoryAsync(string assetKey, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            select run_id, materialized_at, table_rows, duration_ms, rows from (
              select run_id, materialized_at, table_rows, rows, duration_ms, materialization_id from runstore.materializations
              where asset_key = $1 order by materialization_id desc limit $2) latest
            order by materialization_id
            """);
        command.Parameters.AddWithValue(assetKey);
        command.Parameters.AddWithValue(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<MaterializationPoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            points.Add(new MaterializationPoint(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), Nullable<long>(reader, 2), reader.GetDouble(3),
                Nullable<long>(reader, 4)));
        }

        return points;
    }

    public async Task<IReadOnlyList<CheckView>> LatestChecksAsync(string assetKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            select distinct on (check_name) check_name, severity, passed, failing_rows, sample::text, error, executed_at, run_id
            from runstore.check_executions where asset_key = $1 order by check_name, execution_id desc
            """);
        command.Parameters.AddWithValue(assetKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var checks = new List<CheckView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            checks.Add(new CheckView(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetInt64(3),
                JsonDocument.Parse(reader.GetString(4)).RootElement, reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6), reader.GetGuid(7)));
        }

        return checks;
    }

    private const string RunColumns =
        "select run_id, kind, selection, status, requested_by, worker, parent_run_id, created_at, started_at, finished_at, error, "
        + "full_refresh, backfill_from, backfill_to from runstore.runs";

    private static RunView ReadRun(NpgsqlDataReader reader, IReadOnlyList<StepView>? steps) => new(
        reader.GetGuid(0), WireName.Parse<RunKind>(reader.GetString(1)), reader.GetString(2), WireName.Parse<RunStatus>(reader.GetString(3)),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.IsDBNull(6) ? null : reader.GetGuid(6), reader.GetFieldValue<DateTimeOffset>(7),
        Nullable<DateTimeOffset>(reader, 8), Nullable<DateTimeOffset>(reader, 9), reader.IsDBNull(10) ? null : reader.GetString(10), steps)
    {
        FullRefresh = reader.GetBoolean(11),
        BackfillFrom = Nullable<DateOnly>(reader, 12),
        BackfillTo = Nullable<DateOnly>(reader, 13),
    };

    private static T? Nullable<T>(NpgsqlDataReader reader, int ordinal) where T : struct =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<T>(ordinal);
}
