using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// What exists before any asset is built: the schemas, the ingest manifest, the erasure tombstones and the reader roles.
/// Each declared source's tables are made from its declaration (<see cref="PostgresSourceTables"/>).
/// </summary>
public static class WarehouseSchema
{
    /// <summary>The ingest manifest: one row per ingested content hash.</summary>
    private const string ManifestDdl = """
        create schema if not exists raw;
        create table if not exists raw.ingest_manifest (
            file_id       bigint generated always as identity primary key,
            source        text not null default 'raw_events',
            file_path     text not null,
            content_hash  text not null,
            bytes         bigint not null,
            rows_read     bigint not null default 0,
            rows_loaded   bigint not null default 0,
            rows_rejected bigint not null default 0,
            ingested_at   timestamptz not null default now()
        );
        -- Every declared source records its loads here, each under one sequence of load ids (so one watermark covers
        -- them all); a content hash is unique within its source.
        -- (A manifest from before sources were declared gains the column; checked first, since altering the table
        -- would wait for every load in progress.)
        do $$
        begin
            if not exists (select from information_schema.columns
                           where table_schema = 'raw' and table_name = 'ingest_manifest' and column_name = 'source') then
                alter table raw.ingest_manifest add column source text not null default 'raw_events';
                alter table raw.ingest_manifest drop constraint if exists ingest_manifest_content_hash_key;
            end if;
        end $$;
        create unique index if not exists ingest_manifest_source_content on raw.ingest_manifest (source, content_hash);
        """;

    /// <summary>Where each database source's extraction stands (see WatermarkState in Analytics.Ingest).</summary>
    private const string WatermarksDdl = """
        -- Where each database source's extraction stands: the next window's start and the last (watermark, key) read,
        -- committed with each window's rows; the source columns already warned of.
        create table if not exists raw.source_watermarks (
            source     text primary key,
            position   text,
            cursor     text[],
            warned     text[] not null default '{}',
            updated_at timestamptz not null default now()
        );
        """;

    private static readonly string Ddl = ManifestDdl + PostgresErasure.TombstoneDdl + WatermarksDdl + $$"""
        create schema if not exists staging;
        create schema if not exists core;
        create schema if not exists marts;
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

    /// <summary>Only the ingest manifest and the extraction watermarks: what a warehouse elsewhere (BigQuery) keeps in the run store's database.</summary>
    public static Task EnsureManifestAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default) =>
        ExecuteAsync(dataSource, ManifestDdl + WatermarksDdl, cancellationToken);

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
