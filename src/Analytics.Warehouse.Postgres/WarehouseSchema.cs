using Analytics.Ingest;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// What exists before any asset is built: the schemas, the ingest manifest, the erasure tombstones and the reader roles.
/// Each declared source's tables are made from its declaration (<see cref="PostgresSourceTables"/>).
/// </summary>
public static class WarehouseSchema
{
    private static readonly string Ddl = IngestManifest.Ddl + PostgresErasure.TombstoneDdl + $$"""
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

    /// <summary>The databases this process has made the schema in: once each, as the source tables are (every source's tables ensured it again).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Made = new();

    public static async Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        if (Made.ContainsKey(dataSource.ConnectionString))
        {
            return;
        }

        await IngestManifest.ExecuteSchemaAsync(dataSource, Ddl, cancellationToken);
        Made.TryAdd(dataSource.ConnectionString, true);
    }
}
