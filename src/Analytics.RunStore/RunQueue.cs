using System.Diagnostics;
using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>
/// The run queue in PostgreSQL: enqueue, claim with <c>FOR UPDATE SKIP LOCKED</c> (so no run is claimed twice),
/// heartbeat, cancel, retry, and reap the runs of workers that stopped heartbeating. No coordinator but the database.
/// </summary>
public sealed class RunQueue(NpgsqlDataSource dataSource)
{
    public const string Channel = "runstore_queue";

    /// <summary>Calls <paramref name="queued"/> whenever a run is queued, until <paramref name="cancellationToken"/> fires (LISTEN on a connection of its own).</summary>
    public Task ListenAsync(Action queued, CancellationToken cancellationToken) =>
        RunStoreNotifications.ListenAsync(dataSource, Channel, queued, null, cancellationToken);

    /// <summary>The reaper's reason when nothing says the database was at fault (a format of worker and last heartbeat).</summary>
    private const string StoppedHeartbeating = "worker %s stopped heartbeating (last at %s); retry the run to re-execute its unfinished steps";

    /// <summary>Queues a run of <paramref name="plan"/> (already resolved and ordered) and wakes the workers.</summary>
    public async Task<Guid> EnqueueAsync(string selection, IReadOnlyList<string> plan, string requestedBy, RunKind kind = RunKind.Materialize,
        Guid? parentRunId = null, CancellationToken cancellationToken = default, BuildOptions? build = null)
    {
        var runId = Guid.NewGuid();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await InsertQueuedRunAsync(connection, runId, selection, plan, requestedBy, kind, parentRunId, cancellationToken, build);
        await transaction.CommitAsync(cancellationToken);
        return runId;
    }

    /// <summary>The rows of a queued run, on <paramref name="connection"/> inside the caller's transaction, and the wake-up notification.</summary>
    internal static async Task InsertQueuedRunAsync(NpgsqlConnection connection, Guid runId, string selection, IReadOnlyList<string> plan, string requestedBy,
        RunKind kind, Guid? parentRunId, CancellationToken cancellationToken, BuildOptions? build = null)
    {
        build ??= BuildOptions.Default;
        await Execute(connection,
            "insert into runstore.runs (run_id, kind, selection, status, requested_by, checks_only, parent_run_id, trace_parent, full_refresh, backfill_from, backfill_to) "
            + "values ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, $10)",
            cancellationToken, runId, WireName.Of(kind), selection, requestedBy, kind == RunKind.Check, (object?)parentRunId ?? DBNull.Value,
            // The W3C traceparent of the request that queued the run, so the worker's run span continues that trace.
            Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id! : DBNull.Value,
            build.FullRefresh, (object?)build.BackfillFrom ?? DBNull.Value, (object?)build.BackfillTo ?? DBNull.Value);
        await Execute(connection, "insert into runstore.steps (run_id, asset_key, status, ordinal) select $1, p.key, 'queued', p.ordinal from unnest($2::text[]) with ordinality as p(key, ordinal)",
            cancellationToken, runId, plan.ToArray());
        await Execute(connection, "insert into runstore.events (run_id, kind, message, payload) values ($1, 'run_queued', $2, jsonb_build_object('plan', $3::text[]))",
            cancellationToken, runId, $"{plan.Count} asset(s): {selection}{(build.Describe() is { } how ? $" ({how})" : "")}", plan.ToArray());
        await Execute(connection, $"notify {Channel}", cancellationToken);
    }

    /// <summary>
    /// Claims the oldest queued run for <paramref name="worker"/> (or only the run <paramref name="only"/>, when it
    /// still waits), or returns null when none waits.
    /// </summary>
    public async Task<QueuedRun?> ClaimAsync(string worker, CancellationToken cancellationToken, Guid? only = null)
    {
        await using var command = dataSource.CreateCommand("""
            update runstore.runs set status = 'running', worker = $1, started_at = now(), heartbeat_at = now()
            where run_id = (select run_id from runstore.runs where status = 'queued' and ($2::uuid is null or run_id = $2) order by created_at
                            for update skip locked limit 1)
            returning run_id, selection, checks_only,
                      array(select asset_key from runstore.steps s where s.run_id = runs.run_id order by asset_key), trace_parent,
                      full_refresh, backfill_from, backfill_to
            """);
        command.Parameters.AddWithValue(worker);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new QueuedRun(reader.GetGuid(0), reader.GetString(1), reader.GetBoolean(2) ? RunKind.Check : RunKind.Materialize, reader.GetFieldValue<string[]>(3))
            {
                TraceParent = reader.IsDBNull(4) ? null : reader.GetString(4),
                Build = new BuildOptions(reader.GetBoolean(5), reader.IsDBNull(6) ? null : reader.GetFieldValue<DateOnly>(6),
                    reader.IsDBNull(7) ? null : reader.GetFieldValue<DateOnly>(7)),
            }
            : null;
    }

    /// <summary>Adds an event to a run's log (for what happens to a run outside its worker: a sweep after reaping, say).</summary>
    public async Task RecordEventAsync(Guid runId, string kind, string message, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, "insert into runstore.events (run_id, kind, message) values ($1, $2, $3)", cancellationToken, runId, kind, message);
    }

    /// <summary>Records that the worker is alive; returns true when someone asked to cancel the run.</summary>
    public async Task<bool> HeartbeatAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "update runstore.runs set heartbeat_at = now() where run_id = $1 returning cancel_requested");
        command.Parameters.AddWithValue(runId);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>
    /// Cancels a queued run at once (<see cref="RunStatus.Canceled"/>), or asks the worker of a running one to stop
    /// (<see cref="RunStatus.Running"/>: it may still finish first). Null when the run had already finished.
    /// </summary>
    public async Task<RunStatus?> RequestCancelAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            update runstore.runs set cancel_requested = true,
                   status = case when status = 'queued' then 'canceled' else status end,
                   finished_at = case when status = 'queued' then now() else finished_at end
            where run_id = $1 and status in ('queued', 'running')
            returning status
            """, connection);
        command.Parameters.AddWithValue(runId);
        var status = await command.ExecuteScalarAsync(cancellationToken) is string text ? WireName.Parse<RunStatus>(text) : (RunStatus?)null;
        if (status is not null)
        {
            await Execute(connection, "insert into runstore.events (run_id, kind, message) values ($1, 'cancel_requested', $2)", cancellationToken,
                runId, status == RunStatus.Canceled ? "canceled before it started" : "cancel requested; stopping after the steps in flight are canceled");
            if (status == RunStatus.Canceled)
            {
                await Execute(connection, "update runstore.steps set status = 'canceled' where run_id = $1 and status = 'queued'", cancellationToken, runId);
                await Execute(connection, "insert into runstore.events (run_id, kind, message) values ($1, 'run_finished', 'canceled')", cancellationToken, runId);
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return status;
    }

    /// <summary>
    /// Marks as failed every running run whose worker has not heartbeated within <paramref name="timeout"/>,
    /// with a reason that says why as far as the database can tell: PostgreSQL itself restarted after the last
    /// heartbeat (the outage interrupted the run), or the worker went silent. Returns the runs it failed.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ReapAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"""
            update runstore.runs set status = 'failed', finished_at = now(),
                   error = case
                       when pg_postmaster_start_time() > heartbeat_at then format(
                           'interrupted: PostgreSQL restarted at %s, after the last heartbeat of worker %s (at %s); '
                           || 'retry the run to re-execute its unfinished steps',
                           to_char(pg_postmaster_start_time() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'), worker,
                           to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'))
                       else format('{StoppedHeartbeating}', worker, to_char(heartbeat_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS'))
                   end
            where status = 'running' and heartbeat_at < now() - $1
            returning run_id, error
            """, connection);
        command.Parameters.AddWithValue(timeout);
        var reaped = new List<(Guid, string)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                reaped.Add((reader.GetGuid(0), reader.GetString(1)));
            }
        }

        foreach (var (runId, error) in reaped)
        {
            await Execute(connection, "update runstore.steps set status = 'failed', finished_at = now(), error = $2 where run_id = $1 and status = 'running'",
                cancellationToken, runId, error);
            await Execute(connection, "update runstore.steps set status = 'skipped', error = 'skipped: the run failed' where run_id = $1 and status = 'queued'",
                cancellationToken, runId);
            await Execute(connection, "insert into runstore.events (run_id, kind, message) values ($1, 'run_finished', $2)", cancellationToken, runId, "failed: " + error);
            await Execute(connection, $"notify {RunStoreRecorder.ChangesChannel}", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return reaped.Select(r => r.Item1).ToList();
    }

    /// <summary>
    /// Fails <paramref name="runId"/>, which <paramref name="worker"/> was executing when it lost the run store,
    /// with <paramref name="reason"/>: a run still marked running, or one another process reaped meanwhile as
    /// "stopped heartbeating" (the worker knows better why). False when the run had finished otherwise.
    /// </summary>
    public async Task<bool> FailInterruptedAsync(Guid runId, string worker, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            with before as (select run_id, status from runstore.runs where run_id = $1 for update)
            update runstore.runs r set status = 'failed', finished_at = coalesce(r.finished_at, now()), error = $3
            from before
            where r.run_id = before.run_id and r.worker = $2
              and (r.status = 'running' or (r.status = 'failed' and r.error like 'worker % stopped heartbeating%'))
            returning before.status
            """, connection);
        command.Parameters.AddWithValue(runId);
        command.Parameters.AddWithValue(worker);
        command.Parameters.AddWithValue(reason);
        if (await command.ExecuteScalarAsync(cancellationToken) is not string previous)
        {
            return false;
        }

        await Execute(connection, """
            update runstore.steps set status = 'failed', finished_at = coalesce(finished_at, now()), error = $2
            where run_id = $1 and (status = 'running' or (status = 'failed' and error like 'worker % stopped heartbeating%'))
            """, cancellationToken, runId, reason);
        await Execute(connection, "update runstore.steps set status = 'skipped', error = 'skipped: the run failed' where run_id = $1 and status = 'queued'",
            cancellationToken, runId);
        await Execute(connection, previous == "running"
                ? "insert into runstore.events (run_id, kind, message) values ($1, 'run_finished', 'failed: ' || $2)"
                : "insert into runstore.events (run_id, kind, message) values ($1, 'run_interrupted', $2)",
            cancellationToken, runId, reason);
        await Execute(connection, $"notify {RunStoreRecorder.ChangesChannel}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes the events of finished runs older than <paramref name="retention"/>; returns how many.</summary>
    public async Task<long> PruneEventsAsync(TimeSpan retention, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            delete from runstore.events e using runstore.runs r
            where e.run_id = r.run_id and r.status in ('succeeded', 'failed', 'canceled') and e.at < now() - $1
            """);
        command.Parameters.AddWithValue(retention);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.AddWithValue(value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
