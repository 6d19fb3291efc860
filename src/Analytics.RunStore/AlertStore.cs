using Npgsql;

namespace Analytics.RunStore;

/// <summary>A rule's finding: the thing in breach (<paramref name="Subject"/>), what to tell people, and where to look.</summary>
public sealed record AlertFinding(string Subject, string Summary, string? Link);

/// <summary>An incident and what became of its messages.</summary>
public sealed record AlertIncidentView(long Id, string Rule, string Subject, string Status, string Summary, string? Link, DateTimeOffset OpenedAt,
    DateTimeOffset? ResolvedAt, IReadOnlyList<AlertDeliveryView> Deliveries);

public sealed record AlertDeliveryView(string Channel, string Kind, string Status, int Attempts, string? LastError, DateTimeOffset? SentAt);

/// <summary>A message due for sending: one incident's opening or resolution, on one channel.</summary>
public sealed record PendingDelivery(long DeliveryId, string Channel, string Kind, int Attempts, string Rule, string Subject, string Summary, string? Link,
    DateTimeOffset OpenedAt, DateTimeOffset? ResolvedAt);

/// <summary>
/// Alert incidents and their outbox in the run store. An incident is one (rule, subject) in breach: it opens once,
/// with one message per channel, and resolves once, with one more; findings in between send nothing. Messages are
/// rows sent by <c>AlertDispatcher</c> with retries, never by the run that caused them.
/// </summary>
public sealed class AlertStore(NpgsqlDataSource runStore)
{
    public const string Open = "open", Resolved = "resolved";

    /// <summary>
    /// Brings a rule's incidents in line with what it finds now: opens an incident for each new subject and resolves
    /// those no longer found, queuing a message on each of <paramref name="channels"/> for both. Returns (opened, resolved).
    /// </summary>
    public async Task<(int Opened, int Resolved)> ReconcileAsync(string rule, IReadOnlyList<AlertFinding> findings, IReadOnlyList<string> channels,
        CancellationToken cancellationToken)
    {
        await using var connection = await runStore.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var open = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var select = new NpgsqlCommand("select subject, incident_id from runstore.alert_incidents where rule = $1 and status = 'open' for update",
                         connection, transaction))
        {
            select.Parameters.AddWithValue(rule);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                open[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var opened = 0;
        foreach (var finding in findings.DistinctBy(f => f.Subject).Where(f => !open.ContainsKey(f.Subject)))
        {
            await using var insert = new NpgsqlCommand("""
                insert into runstore.alert_incidents (rule, subject, status, summary, link) values ($1, $2, 'open', $3, $4)
                on conflict do nothing returning incident_id
                """, connection, transaction);
            insert.Parameters.AddWithValue(rule);
            insert.Parameters.AddWithValue(finding.Subject);
            insert.Parameters.AddWithValue(finding.Summary);
            insert.Parameters.AddWithValue((object?)finding.Link ?? DBNull.Value);
            if (await insert.ExecuteScalarAsync(cancellationToken) is long id)
            {
                await QueueAsync(connection, transaction, id, "opened", channels, cancellationToken);
                opened++;
            }
        }

        var found = findings.Select(f => f.Subject).ToHashSet(StringComparer.Ordinal);
        var resolved = 0;
        foreach (var (subject, id) in open.Where(o => !found.Contains(o.Key)))
        {
            await using var update = new NpgsqlCommand("update runstore.alert_incidents set status = 'resolved', resolved_at = now() where incident_id = $1",
                connection, transaction);
            update.Parameters.AddWithValue(id);
            await update.ExecuteNonQueryAsync(cancellationToken);
            await QueueAsync(connection, transaction, id, "resolved", channels, cancellationToken);
            resolved++;
        }

        await transaction.CommitAsync(cancellationToken);
        return (opened, resolved);
    }

    private static async Task QueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long incident, string kind, IReadOnlyList<string> channels,
        CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "insert into runstore.alert_deliveries (incident_id, kind, channel, status) select $1, $2, unnest($3::text[]), 'pending'", connection, transaction);
        command.Parameters.AddWithValue(incident);
        command.Parameters.AddWithValue(kind);
        command.Parameters.AddWithValue(channels.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Leases up to <paramref name="limit"/> due messages for <paramref name="lease"/> (another dispatcher skips them
    /// meanwhile), oldest first.
    /// </summary>
    public async Task<IReadOnlyList<PendingDelivery>> LeaseDueAsync(int limit, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            with due as (
                select delivery_id from runstore.alert_deliveries
                where status = 'pending' and next_attempt_at <= now() order by delivery_id limit $1 for update skip locked
            )
            update runstore.alert_deliveries d set next_attempt_at = now() + $2
            from due, runstore.alert_incidents i
            where d.delivery_id = due.delivery_id and i.incident_id = d.incident_id
            returning d.delivery_id, d.channel, d.kind, d.attempts, i.rule, i.subject, i.summary, i.link, i.opened_at, i.resolved_at
            """);
        command.Parameters.AddWithValue(limit);
        command.Parameters.AddWithValue(lease);
        var due = new List<PendingDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            due.Add(new PendingDelivery(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return due.OrderBy(d => d.DeliveryId).ToList();
    }

    public async Task SentAsync(long deliveryId, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand(
            "update runstore.alert_deliveries set status = 'sent', attempts = attempts + 1, sent_at = now(), last_error = null where delivery_id = $1");
        command.Parameters.AddWithValue(deliveryId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records a failed attempt: tried again after <paramref name="retryAfter"/>, or given up on when that is null.</summary>
    public async Task FailedAsync(long deliveryId, string error, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            update runstore.alert_deliveries set attempts = attempts + 1, last_error = $2,
                status = case when $3::interval is null then 'failed' else 'pending' end,
                next_attempt_at = now() + coalesce($3::interval, interval '0')
            where delivery_id = $1
            """);
        command.Parameters.AddWithValue(deliveryId);
        command.Parameters.AddWithValue(error.Length > 1000 ? error[..1000] : error);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)retryAfter ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Incidents newest first (only open ones with <paramref name="openOnly"/>), each with its messages.</summary>
    public async Task<IReadOnlyList<AlertIncidentView>> ListAsync(bool openOnly, int limit, CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            select i.incident_id, i.rule, i.subject, i.status, i.summary, i.link, i.opened_at, i.resolved_at,
                   coalesce((select jsonb_agg(jsonb_build_object('channel', d.channel, 'kind', d.kind, 'status', d.status, 'attempts', d.attempts,
                                                                 'last_error', d.last_error, 'sent_at', d.sent_at) order by d.delivery_id)
                             from runstore.alert_deliveries d where d.incident_id = i.incident_id), '[]')::text
            from runstore.alert_incidents i
            where not $1 or i.status = 'open'
            order by i.opened_at desc, i.incident_id desc limit $2
            """);
        command.Parameters.AddWithValue(openOnly);
        command.Parameters.AddWithValue(limit);
        var incidents = new List<AlertIncidentView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var deliveries = System.Text.Json.JsonSerializer.Deserialize<List<AlertDeliveryView>>(reader.GetString(8), SnakeCase)!;
            incidents.Add(new AlertIncidentView(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), deliveries));
        }

        return incidents;
    }

    private static readonly System.Text.Json.JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    /// <summary>What the run_failed rule reads: each selection's latest finished run, when it failed, with its first error.</summary>
    public async Task<IReadOnlyList<(Guid RunId, string Selection, string? Error)>> LatestFailedRunsAsync(CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            select run_id, selection,
                   coalesce(error, (select s.asset_key || ': ' || left(s.error, 300) from runstore.steps s
                                    where s.run_id = latest.run_id and s.status = 'failed' order by s.finished_at limit 1))
            from (select distinct on (selection) run_id, selection, status, error from runstore.runs
                  where status in ('succeeded', 'failed') order by selection, finished_at desc nulls last) latest
            where status = 'failed'
            """);
        var failed = new List<(Guid, string, string?)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            failed.Add((reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }

        return failed;
    }

    /// <summary>What the check_failed rule reads: blocking checks whose latest execution failed.</summary>
    public async Task<IReadOnlyList<(string Asset, string Check, long FailingRows, string? Error, Guid RunId)>> FailingBlockingChecksAsync(
        CancellationToken cancellationToken)
    {
        await using var command = runStore.CreateCommand("""
            select asset_key, check_name, failing_rows, error, run_id
            from (select distinct on (asset_key, check_name) asset_key, check_name, severity, passed, failing_rows, error, run_id
                  from runstore.check_executions order by asset_key, check_name, execution_id desc) latest
            where not passed and severity = 'error'
            """);
        var failing = new List<(string, string, long, string?, Guid)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            failing.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetGuid(4)));
        }

        return failing;
    }
}
