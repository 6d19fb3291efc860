using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>The warehouse tables that exist before any asset is built: the landing tables and the ingest manifest.</summary>
public static class WarehouseSchema
{
    /// <summary>The ingest manifest: one row per ingested content hash.</summary>
    private const string ManifestDdl = """
        create schema if not exists raw;
        create table if not exists raw.ingest_manifest (
            file_id       bigint generated always as identity primary key,
            file_path     text not null,
            content_hash  text not null unique,
            bytes         bigint not null,
            rows_read     bigint not null default 0,
            rows_loaded   bigint not null default 0,
            rows_rejected bigint not null default 0,
            ingested_at   timestamptz not null default now()
        );
        """;

    private static readonly string Ddl = ManifestDdl + PostgresErasure.TombstoneDdl + $$"""
        create schema if not exists staging;
        create schema if not exists core;
        create schema if not exists marts;
        create table if not exists raw.raw_events (
            file_id              bigint not null,
            line_number          bigint not null,
            event_id             uuid not null,
            event_time           timestamptz not null,
            user_id              text not null,
            event_type           text not null,
            transaction_category text,
            miles_amount         numeric,
            platform             text,
            utm_source           text,
            country              text,
            tenant_id            text
        );
        -- Tenants came later: a table made before them gains the column (null: of no tenant).
        alter table raw.raw_events add column if not exists tenant_id text;
        -- Loads append in file_id order, so a BRIN index finds the rows of the latest loads (what an incremental run
        -- reads) in a few pages, at almost no cost to COPY.
        create index if not exists raw_events_file_id on raw.raw_events using brin (file_id);
        create table if not exists raw.raw_events_rejected (
            file_id     bigint not null,
            file_path   text not null,
            line_number bigint not null,
            raw_text    text not null,
            reason      text not null
        );
        -- The role Superset connects as: each build of a mart grants it its unclassified columns, and nothing else is
        -- granted it.
        {{CreateRole("analytics_superset", "nologin")}}
        do $$
        begin
            if exists (select from pg_roles where rolname = 'analytics_superset') then
                grant usage on schema marts to analytics_superset;
            end if;
        end $$;
        -- The role the API reads as: without BYPASSRLS and owning nothing, so the row-level security policies each
        -- build puts on its table hold for it; the tenant it may see is the transaction's analytics.tenant setting
        -- ('*' for all). The login that makes it is made a member, so it may SET ROLE to it.
        {{CreateRole("analytics_reader", "nologin nobypassrls")}}
        do $$
        begin
            if exists (select from pg_roles where rolname = 'analytics_reader') then
                grant usage on schema raw, staging, core, marts to analytics_reader;
                if not pg_has_role(current_user, 'analytics_reader', 'member') then
                    execute format('grant analytics_reader to %I', current_user);
                end if;
                -- Once: altering the table takes a lock that would wait for a load in progress.
                if not exists (select from pg_policies where schemaname = 'raw' and tablename = 'raw_events' and policyname = 'tenant_rows') then
                    grant select on raw.raw_events to analytics_reader;
                    alter table raw.raw_events enable row level security;
                    create policy tenant_rows on raw.raw_events for select to analytics_reader
                        using (current_setting('analytics.tenant', true) = '*'
                               or coalesce(tenant_id, 'default') = current_setting('analytics.tenant', true));
                end if;
            end if;
        exception when insufficient_privilege then
            null;
        end $$;
        """;

    /// <summary>
    /// Makes a role unless it exists. Roles belong to the cluster, so another database's setup may be making it at this
    /// moment; a server where this login may not make roles goes without (what needs the role then says so).
    /// </summary>
    private static string CreateRole(string name, string options) => $"""
        do $$
        begin
            if not exists (select from pg_roles where rolname = '{name}') then
                create role {name} {options};
            end if;
        exception when duplicate_object or unique_violation or insufficient_privilege then
            null;
        end $$;
        """;

    public static Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default) =>
        ExecuteAsync(dataSource, Ddl, cancellationToken);

    /// <summary>Only the ingest manifest: what a warehouse elsewhere (BigQuery) keeps in the run store's database.</summary>
    public static Task EnsureManifestAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default) =>
        ExecuteAsync(dataSource, ManifestDdl, cancellationToken);

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string ddl, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two processes creating the same tables at once would race on the catalog; the lock serialises them.
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(727001)", connection, transaction))
        {
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(ddl, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
