using Npgsql;

namespace Analytics.RunStore;

/// <summary>
/// Versioned, idempotent migrations of the <c>runstore</c> schema, applied at start-up under an advisory lock so
/// two processes starting at once apply each version exactly once.
/// </summary>
public static class RunStoreMigrations
{
    private static readonly (int Version, string Name, string Sql)[] Migrations =
    [
        (1, "runs, steps, events, materializations, checks", """
            create table runstore.runs (
                run_id       uuid primary key,
                kind         text not null,
                selection    text not null,
                status       text not null,
                requested_by text,
                worker       text,
                created_at   timestamptz not null default now(),
                started_at   timestamptz,
                finished_at  timestamptz,
                error        text
            );
            create table runstore.steps (
                run_id      uuid not null references runstore.runs on delete cascade,
                asset_key   text not null,
                status      text not null,
                started_at  timestamptz,
                finished_at timestamptz,
                rows        bigint,
                error       text,
                sql_hash    text,
                primary key (run_id, asset_key)
            );
            create table runstore.events (
                event_id  bigint generated always as identity primary key,
                run_id    uuid not null,
                at        timestamptz not null default clock_timestamp(),
                kind      text not null,
                asset_key text,
                message   text,
                payload   jsonb
            );
            create index on runstore.events (run_id, event_id);
            create table runstore.materializations (
                materialization_id bigint generated always as identity primary key,
                run_id          uuid not null,
                asset_key       text not null,
                materialized_at timestamptz not null default now(),
                rows            bigint,
                duration_ms     double precision not null,
                columns         jsonb not null,
                sql_hash        text
            );
            create index on runstore.materializations (asset_key, materialization_id desc);
            create table runstore.check_executions (
                execution_id bigint generated always as identity primary key,
                run_id       uuid not null,
                asset_key    text not null,
                check_name   text not null,
                severity     text not null,
                passed       boolean not null,
                failing_rows bigint not null,
                sample       jsonb not null,
                error        text,
                executed_at  timestamptz not null default now()
            );
            create index on runstore.check_executions (asset_key, check_name, execution_id desc);
            """),
        (2, "queue: heartbeats, cancellation, retries", """
            alter table runstore.runs
                add column heartbeat_at timestamptz,
                add column cancel_requested boolean not null default false,
                add column parent_run_id uuid references runstore.runs,
                add column checks_only boolean not null default false;
            create index runs_queued on runstore.runs (created_at) where status = 'queued';
            create index runs_created on runstore.runs (created_at desc);
            create index events_at on runstore.events (at);
            """),
        (3, "schedule ticks and pauses", """
            create table runstore.schedule_ticks (
                schedule text not null,
                scheduled_at timestamptz not null,
                status text not null,
                reason text,
                run_id uuid references runstore.runs,
                claimed_by text not null,
                claimed_at timestamptz not null default now(),
                primary key (schedule, scheduled_at)
            );
            create table runstore.schedule_state (
                schedule text primary key,
                paused boolean not null default false,
                changed_at timestamptz not null default now()
            );
            """),
        (4, "landing sensor files, alert incidents and their deliveries", """
            create table runstore.sensor_files (
                sensor        text not null,
                path          text not null,
                bytes         bigint not null,
                modified_at   timestamptz not null,
                content_hash  text not null,
                status        text not null,
                reason        text,
                rows_loaded   bigint,
                rows_rejected bigint,
                run_id        uuid references runstore.runs,
                first_seen_at timestamptz not null default now(),
                changed_at    timestamptz not null default now(),
                primary key (sensor, path)
            );
            create table runstore.sensor_state (
                sensor      text primary key,
                location    text not null,
                swept_at    timestamptz not null default now(),
                last_error  text
            );
            create table runstore.alert_incidents (
                incident_id bigint generated always as identity primary key,
                rule        text not null,
                subject     text not null,
                status      text not null,
                summary     text not null,
                link        text,
                opened_at   timestamptz not null default now(),
                resolved_at timestamptz
            );
            create unique index alert_incidents_open on runstore.alert_incidents (rule, subject) where status = 'open';
            create index alert_incidents_opened on runstore.alert_incidents (opened_at desc);
            create table runstore.alert_deliveries (
                delivery_id     bigint generated always as identity primary key,
                incident_id     bigint not null references runstore.alert_incidents on delete cascade,
                kind            text not null,
                channel         text not null,
                status          text not null,
                attempts        int not null default 0,
                next_attempt_at timestamptz not null default now(),
                last_error      text,
                sent_at         timestamptz
            );
            create index alert_deliveries_pending on runstore.alert_deliveries (next_attempt_at) where status = 'pending';
            """),
        (5, "the trace a queued run was requested in", """
            alter table runstore.runs add column trace_parent text;
            """),
        (6, "incremental assets: what each is built from, and its partitions", """
            create table runstore.incremental_state (
                asset_key    text primary key,
                load_id      bigint not null,
                lineage_hash text not null,
                run_id       uuid not null,
                updated_at   timestamptz not null default now()
            );
            create table runstore.asset_partitions (
                asset_key       text not null,
                partition_start date not null,
                run_id          uuid not null,
                reason          text not null,
                built_at        timestamptz not null default now(),
                primary key (asset_key, partition_start)
            );
            """),
        // rows stays what a build wrote; table_rows is the table's size after it (unknown for builds recorded before).
        (7, "the rows a table holds beside the rows a build wrote", """
            alter table runstore.materializations add column table_rows bigint;
            alter table runstore.incremental_state add column table_rows bigint;
            """),
        // A run's steps keep the order of its plan (dependency order), so a live run's list never reshuffles.
        (8, "steps in the order of the run's plan", """
            alter table runstore.steps add column ordinal int;
            """),
        // How a queued run builds its incremental assets (whole, or a date range), so the web UI and the API can ask
        // a worker for what the CLI's --full-refresh and 'backfill' do.
        (9, "build options of queued runs", """
            alter table runstore.runs add column full_refresh boolean not null default false,
                                      add column backfill_from date,
                                      add column backfill_to date;
            """),
        // API keys of principals: only a hash of each key is kept; a revoked or expired key is refused at its next request.
        (10, "api keys of principals", """
            create table runstore.api_keys (
                key_id       text primary key,
                name         text not null,
                role         text not null check (role in ('viewer', 'operator', 'admin')),
                tenant       text,
                secret_hash  bytea not null,
                created_at   timestamptz not null default now(),
                created_by   text not null,
                expires_at   timestamptz,
                revoked_at   timestamptz,
                last_used_at timestamptz
            );
            create unique index api_keys_live_name on runstore.api_keys (name) where revoked_at is null;
            """),
        // The pii permission of a key, and the server's secrets (the key that masks classified columns), made once
        // and shared by every process of the app, so a masked value is the same from every API replica and restart.
        (11, "pii permission and secrets", """
            alter table runstore.api_keys add column pii boolean not null default false;
            create table runstore.secrets (
                name       text primary key,
                value      bytea not null,
                created_at timestamptz not null default now()
            );
            """),
        // The audit log: append-only (a trigger refuses updates and deletes), and each record's hash covers its content
        // and the previous record's hash, so an edit that gets past the trigger still shows ('analytics audit verify').
        (12, "audit log", """
            create table runstore.audit_log (
                seq        bigint generated always as identity primary key,
                at         timestamptz not null,
                principal  text not null,
                action     text not null,
                target     text,
                outcome    int not null,
                client     text,
                request_id text,
                prev_hash  bytea not null,
                hash       bytea not null
            );
            create index audit_log_principal on runstore.audit_log (principal, seq);
            create function runstore.audit_log_append_only() returns trigger language plpgsql as $$
            begin
                raise exception 'runstore.audit_log is append-only: % is refused', tg_op;
            end $$;
            create trigger audit_log_append_only before update or delete on runstore.audit_log
                for each row execute function runstore.audit_log_append_only();
            create trigger audit_log_no_truncate before truncate on runstore.audit_log
                for each statement execute function runstore.audit_log_append_only();
            """),
        // Erasures of subjects: who asked, what was removed, the rebuild's run, and the search that proves the id gone.
        // The subject is a keyed hash (the warehouse's tombstone), never the id.
        (13, "erasures", """
            create table runstore.erasures (
                erasure_id   uuid primary key,
                subject_hash bytea not null,
                tenant       text,
                requested_by text not null,
                requested_at timestamptz not null default now(),
                status       text not null check (status in ('erasing', 'complete', 'incomplete')),
                run_id       uuid,
                removed      jsonb,
                found        jsonb,
                finished_at  timestamptz
            );
            """),
        // Each window a database source's extraction read (or the failure that stopped it): what the Sources page lists.
        (14, "extractions", """
            create table runstore.extractions (
                extraction_id bigint generated always as identity primary key,
                source        text not null,
                run_id        uuid,
                window_from   text,
                window_to     text,
                rows_loaded   bigint not null default 0,
                rows_rejected bigint not null default 0,
                bytes         bigint not null default 0,
                duration_ms   bigint not null default 0,
                status        text not null check (status in ('succeeded', 'failed', 'skipped')),
                error         text,
                warning       text,
                load_id       bigint,
                finished_at   timestamptz not null default now()
            );
            create index extractions_by_source on runstore.extractions (source, extraction_id desc);
            """),
        // Each retention deletion: the source, the first day kept, the rows deleted per UTC day, and the run that rebuilt
        // what was built from them.
        (15, "retention deletions", """
            create table runstore.retention_deletions (
                deletion_id  bigint generated always as identity primary key,
                source       text not null,
                kept_from    date not null,
                days         jsonb not null,
                rows_deleted bigint not null,
                run_id       uuid,
                requested_by text not null,
                deleted_at   timestamptz not null default now()
            );
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, "select pg_advisory_xact_lock(727002)", cancellationToken);
        await Execute(connection,
            "create schema if not exists runstore; create table if not exists runstore.schema_migrations "
            + "(version int primary key, name text not null, applied_at timestamptz not null default now())", cancellationToken);
        await using var query = new NpgsqlCommand("select coalesce(max(version), 0) from runstore.schema_migrations", connection);
        var current = (int)(await query.ExecuteScalarAsync(cancellationToken))!;
        foreach (var (version, name, sql) in Migrations.Where(m => m.Version > current))
        {
            await Execute(connection, sql, cancellationToken);
            await using var record = new NpgsqlCommand("insert into runstore.schema_migrations (version, name) values ($1, $2)", connection);
            record.Parameters.AddWithValue(version);
            record.Parameters.AddWithValue(name);
            await record.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
