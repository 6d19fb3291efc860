using Analytics.Core.Assets;
using Analytics.Core.Sources;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// The tables of a declared source, made from its declaration: <c>raw.KEY</c> (the load id, the line number of a file
/// source, the identity, then the declared columns) and <c>raw.KEY_rejected</c> (file, line, raw text, reason). A table
/// made by an earlier declaration gains the columns added since. A source with a tenant column gets the reader's
/// row-level security policy.
/// </summary>
public static class PostgresSourceTables
{
    /// <summary>
    /// The declarations this process has made tables for, by database: made once, since each statement of it takes a lock
    /// that waits for loads in progress. A table dropped behind the process's back is made again by the next process.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), bool> Made = new();

    /// <summary>The PostgreSQL type of a declared column.</summary>
    public static string TypeOf(SourceColumnType type) => type switch
    {
        SourceColumnType.Text => "text",
        SourceColumnType.Integer => "bigint",
        SourceColumnType.Numeric => "numeric",
        SourceColumnType.Timestamp => "timestamptz",
        SourceColumnType.Date => "date",
        _ => "boolean",
    };

    public static string Ddl(AssetDefinition asset)
    {
        var source = asset.Source ?? throw new InvalidOperationException($"{asset.SourcePath}: '{asset.Key.Name}' declares no columns to make its table from.");
        var table = $"raw.{asset.Key.Name}";
        // line_number: a file's line (or sheet row), or a database row's place in its window's read order.
        var columns = new List<string> { $"{source.LoadIdColumn} bigint not null", "line_number bigint not null" };
        if (source.Identity is { } identity)
        {
            columns.Add($"{identity.Column} uuid not null");
        }

        columns.AddRange(source.Columns.Select(c => $"{c.Name} {TypeOf(c.Type)}{(c.Required && c.When is null ? " not null" : "")}"));
        var ddl = $"""
            create schema if not exists raw;
            create table if not exists {table} (
                {string.Join(",\n    ", columns)}
            );
            {AddedColumns(asset.Key.Name, source)}
            {LoadIndex(asset.Key.Name, source)}
            create table if not exists {table}_rejected (
                {source.LoadIdColumn} bigint not null,
                file_path   text not null,
                line_number bigint not null,
                raw_text    text not null,
                reason      text not null
            );

            """;
        ddl += KeyIndex(asset.Key.Name, source);

        ddl += TenantPolicy(asset.Key.Name, source.Column(SourceDeclaration.TenantColumn) is not null);

        return ddl;
    }

    /// <summary>
    /// The unique index on the primary key, if it is missing: a first extraction loads without it and builds it at the end
    /// (see the PostgreSQL extraction target), and one cut short leaves it out, maybe with a key read twice; the last read
    /// (the highest load and line) is kept, as loading by key would have kept it. Nothing without a primary key.
    /// </summary>
    public static string KeyIndex(string key, SourceDeclaration source)
    {
        if (source.PrimaryKey.Count == 0)
        {
            return "";
        }

        var create = $"create unique index {key}_key on raw.{key} ({string.Join(", ", source.PrimaryKey)});";
        var sameKey = string.Join(" and ", source.PrimaryKey.Select(k => $"earlier.{k} = later.{k}"));
        var load = source.LoadIdColumn;
        return $$"""
            do $$
            begin
                if not exists (select from pg_indexes where schemaname = 'raw' and indexname = '{{key}}_key') then
                    begin
                        {{create}}
                    exception when unique_violation then
                        delete from raw.{{key}} as earlier using raw.{{key}} as later
                        where {{sameKey}} and (earlier.{{load}}, earlier.line_number) < (later.{{load}}, later.line_number);
                        {{create}}
                    end;
                end if;
            end $$;

            """;
    }

    /// <summary>
    /// Loads append in load-id order, so a BRIN index finds the rows of the latest loads (what an incremental run reads)
    /// in a few pages, at almost no cost to COPY.
    /// </summary>
    private static string LoadIndex(string key, SourceDeclaration source) =>
        $"create index if not exists {key}_{source.LoadIdColumn} on raw.{key} using brin ({source.LoadIdColumn});";

    /// <summary>
    /// A table made by an earlier declaration gains the columns declared since (as null for the rows it has). Checked
    /// first, since altering the table would wait for every load in progress.
    /// </summary>
    private static string AddedColumns(string key, SourceDeclaration source) => $$"""
        do $$
        declare
            wanted text[][] := array[{{string.Join(", ", source.Columns.Select(c => $"['{c.Name}', '{TypeOf(c.Type)}']"))}}];
            i int;
        begin
            for i in 1 .. array_length(wanted, 1) loop
                -- pg_attribute, not information_schema.columns: that view took 7 ms per source on every start.
                if not exists (select from pg_attribute
                               where attrelid = 'raw.{{key}}'::regclass and attname = wanted[i][1] and attnum > 0 and not attisdropped) then
                    execute format('alter table raw.%I add column %I %s', '{{key}}', wanted[i][1], wanted[i][2]);
                end if;
            end loop;
        end $$;
        """;

    /// <summary>Makes the source's tables (or adds the columns declared since), in one transaction.</summary>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, AssetDefinition asset, CancellationToken cancellationToken)
    {
        var ddl = Ddl(asset);
        if (Made.ContainsKey((dataSource.ConnectionString, ddl)))
        {
            return;
        }

        await WarehouseSchema.EnsureAsync(dataSource, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Two loads making the same table at once would collide in the catalog: one at a time.
        await using (var wait = new NpgsqlCommand($"select pg_advisory_xact_lock(hashtextextended('source tables ' || $1, 0))", connection, transaction))
        {
            wait.Parameters.AddWithValue(asset.Key.Name);
            await wait.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(ddl, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        Made.TryAdd((dataSource.ConnectionString, ddl), true);
    }

    /// <summary>
    /// The reader sees a tenant's rows only (see <see cref="WarehouseSchema"/>), and a source without a tenant column only
    /// when it may see all tenants; made once, since altering the table takes a lock that would wait for a load in progress.
    /// </summary>
    private static string TenantPolicy(string key, bool hasTenant)
    {
        var tenantRows = hasTenant
            ? $" or coalesce(tenant_id, '{SourceDeclaration.DefaultTenant}') = current_setting('analytics.tenant', true)"
            : "";
        return $$"""
            do $$
            begin
                if exists (select from pg_roles where rolname = 'analytics_reader')
                   and not exists (select from pg_policies where schemaname = 'raw' and tablename = '{{key}}' and policyname = 'tenant_rows') then
                    grant select on raw.{{key}} to analytics_reader;
                    alter table raw.{{key}} enable row level security;
                    create policy tenant_rows on raw.{{key}} for select to analytics_reader
                        using (current_setting('analytics.tenant', true) = '*'{{tenantRows}});
                end if;
            exception when insufficient_privilege then
                null;
            end $$;

            """;
    }
}
