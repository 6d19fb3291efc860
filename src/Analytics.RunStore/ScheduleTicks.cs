using Npgsql;

namespace Analytics.RunStore;

/// <summary>One recorded tick and, when it fired, its run's status.</summary>
public sealed record TickView(DateTimeOffset ScheduledAt, string Status, string? Reason, Guid? RunId, string? RunStatus, string ClaimedBy);

/// <summary>
/// The run store's record of schedule ticks: each (schedule, scheduled time) is claimed at most once, under the
/// table's primary key, so any number of workers evaluating the same schedules fire each tick once. Pauses are
/// rows too, so they survive restarts.
/// </summary>
public sealed class ScheduleTicks(NpgsqlDataSource runStore)
{
    /// <summary>
    /// Claims a tick for <paramref name="worker"/> with its outcome (<c>queued</c> with a run, or <c>skipped</c>
    /// with a reason); false when another worker claimed it first.
    /// </summary>
    public async Task<bool> TryClaimAsync(string schedule, DateTimeOffset scheduledAt, string status, string? reason, Guid? runId, string worker,
        CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            insert into runstore.schedule_ticks (schedule, scheduled_at, status, reason, run_id, claimed_by)
            values ($1, $2, $3, $4, $5, $6) on conflict do nothing
            """);
        command.Parameters.AddWithValue(schedule);
        command.Parameters.AddWithValue(scheduledAt.ToUniversalTime());
        command.Parameters.AddWithValue(status);
        command.Parameters.AddWithValue((object?)reason ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)runId ?? DBNull.Value);
        command.Parameters.AddWithValue(worker);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Fires a tick: in one transaction, claims it and queues its run (requested by <c>schedule:NAME</c>), so a tick
    /// is never claimed without its run nor run twice. Null when another worker claimed it first.
    /// </summary>
    public async Task<Guid?> TryFireAsync(string schedule, DateTimeOffset scheduledAt, string selection, IReadOnlyList<string> plan, string worker,
        CancellationToken cancellationToken, string? reason = null)
    {
        var runId = Guid.NewGuid();
        await using var connection = await runStore.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await RunQueue.InsertQueuedRunAsync(connection, runId, selection, plan, $"schedule:{schedule}", Core.Execution.RunKind.Materialize, null, cancellationToken);
        await using var claim = new NpgsqlCommand("""
            insert into runstore.schedule_ticks (schedule, scheduled_at, status, run_id, claimed_by, reason)
            values ($1, $2, 'queued', $3, $4, $5) on conflict do nothing
            """, connection);
        claim.Parameters.AddWithValue(schedule);
        claim.Parameters.AddWithValue(scheduledAt.ToUniversalTime());
        claim.Parameters.AddWithValue(runId);
        claim.Parameters.AddWithValue(worker);
        claim.Parameters.AddWithValue((object?)reason ?? DBNull.Value);
        if (await claim.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            // Claimed elsewhere: the run inserted above is rolled back with the transaction.
            return null;
        }

        await transaction.CommitAsync(cancellationToken);
        return runId;
    }

    /// <summary>Whether the run of the schedule's latest fired tick is still queued or running.</summary>
    public async Task<bool> PreviousRunGoingAsync(string schedule, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            select r.status in ('queued', 'running') from runstore.schedule_ticks t join runstore.runs r using (run_id)
            where t.schedule = $1 order by t.scheduled_at desc limit 1
            """);
        command.Parameters.AddWithValue(schedule);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>The latest tick recorded for a schedule, or null before its first.</summary>
    public async Task<DateTimeOffset?> LastTickAsync(string schedule, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("select max(scheduled_at) from runstore.schedule_ticks where schedule = $1");
        command.Parameters.AddWithValue(schedule);
        return await command.ExecuteScalarAsync(cancellationToken) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;
    }

    public async Task SetPausedAsync(string schedule, bool paused, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            insert into runstore.schedule_state (schedule, paused) values ($1, $2)
            on conflict (schedule) do update set paused = excluded.paused, changed_at = now()
            """);
        command.Parameters.AddWithValue(schedule);
        command.Parameters.AddWithValue(paused);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> IsPausedAsync(string schedule, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("select paused from runstore.schedule_state where schedule = $1");
        command.Parameters.AddWithValue(schedule);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>The schedules paused now.</summary>
    public async Task<IReadOnlySet<string>> PausedAsync(CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("select schedule from runstore.schedule_state where paused");
        var paused = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            paused.Add(reader.GetString(0));
        }

        return paused;
    }

    /// <summary>Each schedule's <paramref name="limit"/> latest ticks, newest first, with their runs' statuses.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<TickView>>> RecentAsync(IReadOnlyList<string> schedules, int limit,
        CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            select s.schedule, t.scheduled_at, t.status, t.reason, t.run_id, r.status, t.claimed_by
            from unnest($1::text[]) s(schedule)
            cross join lateral (select * from runstore.schedule_ticks x where x.schedule = s.schedule order by x.scheduled_at desc limit $2) t
            left join runstore.runs r on r.run_id = t.run_id
            order by s.schedule, t.scheduled_at desc
            """);
        command.Parameters.AddWithValue(schedules.ToArray());
        command.Parameters.AddWithValue(limit);
        var ticks = schedules.ToDictionary(s => s, _ => new List<TickView>(), StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ticks[reader.GetString(0)].Add(new TickView(reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetGuid(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6)));
        }

        return ticks.ToDictionary(t => t.Key, t => (IReadOnlyList<TickView>)t.Value, StringComparer.Ordinal);
    }
}
