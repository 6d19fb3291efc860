using System.Collections.Concurrent;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// The PostgreSQL adapter: tables are built aside and swapped in within one transaction. By concern: building
/// (PostgresWarehouse.Build.cs), incremental writes (.Incremental.cs), snapshots (.Snapshot.cs), checks (.Checks.cs), the
/// API's reads (.Reads.cs), and who may read what (.Access.cs: row-level security, the Superset role).
/// </summary>
public sealed partial class PostgresWarehouse(NpgsqlDataSource dataSource) : IWarehouse
{
    private const string BuildingSuffix = "__building";

    private static readonly TimeSpan PreviewTimeout = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, bool> _schemas = new(StringComparer.Ordinal);

    public ISqlDialect Dialect => PostgresDialect.Instance;

    /// <summary>The connections of this warehouse, for what only PostgreSQL does (binary COPY ingest).</summary>
    public NpgsqlDataSource DataSource => dataSource;

    public async Task EnsureSchemaAsync(IReadOnlyCollection<AssetDefinition> sources, CancellationToken cancellationToken)
    {
        await WarehouseSchema.EnsureAsync(dataSource, cancellationToken);
        foreach (var source in sources.Where(s => s.Source is not null))
        {
            await PostgresSourceTables.EnsureAsync(dataSource, source, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<AssetDefinition>> FindAbandonedBuildsAsync(IReadOnlyCollection<AssetDefinition> assets, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            + "where c.relkind in ('r', 'v', 'p') and right(c.relname, $1) = $2");
        command.Parameters.AddWithValue(BuildingSuffix.Length);
        command.Parameters.AddWithValue(BuildingSuffix);
        var found = new HashSet<(string, string)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        return assets.Where(a => found.Contains((a.Schema, a.Key.Name + BuildingSuffix))).ToList();
    }

    public async Task<bool> DropAbandonedBuildAsync(AssetDefinition asset, CancellationToken cancellationToken)
    {
        var name = asset.Key.Name + BuildingSuffix;
        if (!await RelationExistsAsync(asset.Schema, name, cancellationToken))
        {
            return false;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, $"drop table if exists {Dialect.Relation(asset.Schema, name)}", cancellationToken);
        return true;
    }

    public async Task<bool> RelationExistsAsync(string schema, string name, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select to_regclass($1) is not null");
        command.Parameters.AddWithValue(Dialect.Relation(schema, name));
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<MaterializationResult> MaterializeAsync(AssetDefinition asset, string compiledSql, IncrementalWrite? incremental, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var target = Dialect.Relation(asset.Schema, asset.Key.Name);
        await EnsureSchemaAsync(connection, asset.Schema, cancellationToken);
        if (asset.Materialization == Materialization.Incremental && incremental is not null)
        {
            var (written, delta) = await WriteIncrementalAsync(connection, target, compiledSql, incremental, cancellationToken);
            return new MaterializationResult(written, await ColumnsAsync(connection, target, cancellationToken)) { Delta = delta };
        }

        long? rows = asset.Materialization == Materialization.View
            ? await BuildViewAsync(connection, asset, target, compiledSql, cancellationToken)
            : await BuildTableAsync(connection, asset, target, compiledSql, cancellationToken);
        return new MaterializationResult(rows, await ColumnsAsync(connection, target, cancellationToken)) { TableRows = rows };
    }

    public async Task<long> CountRowsAsync(AssetDefinition asset, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select count(*) from {Dialect.Relation(asset.Schema, asset.Key.Name)}");
        command.CommandTimeout = 0;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The name of the scratch table of an asset's affected keys.</summary>
    public const string AffectedSuffix = "__affected";

    public async Task<MaterializationResult> ObserveAsync(AssetDefinition asset, SourceSize? since, long? upTo, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var target = Dialect.Relation(asset.Schema, asset.Key.Name);
        if (!await RelationExistsAsync(asset.Schema, asset.Key.Name, cancellationToken))
        {
            throw new InvalidOperationException($"source {target} does not exist yet; load it first (for raw_events: analytics ingest PATH).");
        }

        // A source is observed when loads arrived: its statistics then learn them, or the planner, reading a histogram
        // of load ids from before, takes "the rows above the last load" to be none and plans an incremental build's
        // joins of them as nested loops (dim_users' merge ran for minutes at 10 M events). Autovacuum only analyzes a
        // table after a tenth of it changed. Between those, only the load-id column's statistics move: the other
        // columns are sampled again (a quarter of a second on any size of table) once a tenth of the table is new.
        var loadOnly = asset.LoadId is { } load && !await StatisticsAreStaleAsync(connection, target, cancellationToken) ? $" ({PostgresDialect.Quote(load)})" : "";
        await ExecuteAsync(connection, $"analyze {target}{loadOnly}", cancellationToken);
        await SummarizeLoadIndexAsync(connection, target, cancellationToken);
        var rows = await SourceRowsAsync(connection, asset, target, since, upTo, cancellationToken);
        return new MaterializationResult(rows, await ColumnsAsync(connection, target, cancellationToken)) { TableRows = rows };
    }

    /// <summary>
    /// The rows of a source's loads up to <paramref name="upTo"/>. A source whose loads only append (no primary key, so
    /// no load replaces a row) has the size it was last observed at plus the rows the manifest says each load since
    /// added: a count of ten million rows took 0.45 s before any build could start. Otherwise, and the first time or
    /// after an erasure (which forgets the size), the table is counted.
    /// </summary>
    private static async Task<long> SourceRowsAsync(
        NpgsqlConnection connection, AssetDefinition asset, string target, SourceSize? since, long? upTo, CancellationToken cancellationToken)
    {
        var load = asset.LoadId is { } column ? PostgresDialect.Quote(column) : null;
        await using var command = new NpgsqlCommand { Connection = connection, CommandTimeout = 0 };
        if (since is not null && upTo is not null && asset.Source is { PrimaryKey.Count: 0 })
        {
            command.CommandText = "select $1 + coalesce(sum(rows_loaded), 0)::bigint from raw.ingest_manifest where source = $2 and file_id > $3 and file_id <= $4";
            command.Parameters.Add(new NpgsqlParameter { Value = since.Rows });
            command.Parameters.Add(new NpgsqlParameter { Value = asset.Key.Name });
            command.Parameters.Add(new NpgsqlParameter { Value = since.AsOf });
            command.Parameters.Add(new NpgsqlParameter { Value = upTo.Value });
        }
        else
        {
            // Up to the watermark: a load committed since it was read is counted by the next run, with its own rows.
            command.CommandText = $"select count(*) from {target}";
            if (upTo is not null && load is not null)
            {
                command.CommandText += $" where {load} <= $1";
                command.Parameters.Add(new NpgsqlParameter { Value = upTo.Value });
            }
        }

        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Whether a table's statistics of every column are due, by autovacuum's rule: never analyzed whole, or a tenth of
    /// its rows written since (an analyze of some columns leaves that count running).
    /// </summary>
    private static async Task<bool> StatisticsAreStaleAsync(NpgsqlConnection connection, string target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            select coalesce(s.last_analyze, s.last_autoanalyze) is null or s.n_mod_since_analyze > 0.1 * greatest(c.reltuples, 0)
            from pg_class as c left join pg_stat_user_tables as s on s.relid = c.oid
            where c.oid = to_regclass($1)
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = target });
        return await command.ExecuteScalarAsync(cancellationToken) is not false;
    }

    /// <summary>
    /// Summarizes the block ranges loads appended to the source's BRIN indexes. They stay without a summary until a
    /// vacuum (which autovacuum starts only once a tenth of the table is new), and a range without one matches every
    /// search: each incremental build's read of "the rows of the new loads" read all of them (at 440 k rows loaded in
    /// one file, the whole table: 56 ms instead of 2 ms, for each of 20 such reads in a run).
    /// </summary>
    private static async Task SummarizeLoadIndexAsync(NpgsqlConnection connection, string target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            select brin_summarize_new_values(i.indexrelid)
            from pg_index as i join pg_class as c on c.oid = i.indexrelid join pg_am as am on am.oid = c.relam
            where i.indrelid = to_regclass($1) and am.amname = 'brin'
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = target });
        command.CommandTimeout = 0;
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // A role that does not own the table may read it but not summarize it (as ANALYZE skips it): the reads
            // stay right, only slower.
        }
    }

    private static async Task<IReadOnlyList<ColumnInfo>> ColumnsAsync(NpgsqlConnection connection, string target, CancellationToken cancellationToken) =>
        (await ColumnTypesAsync(connection, target, cancellationToken)).Select(c => new ColumnInfo(c.Key, c.Value)).ToList();

    private async Task EnsureSchemaAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        if (_schemas.ContainsKey(schema))
        {
            return;
        }

        // Two assets of a new layer building at once would race in CREATE SCHEMA IF NOT EXISTS; the lock orders them.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"select pg_advisory_xact_lock(727001); create schema if not exists {PostgresDialect.Quote(schema)}", cancellationToken);
        if (await ReaderExistsAsync(connection, cancellationToken))
        {
            // Here, under the lock, not per build: parallel builds granting on one schema collide ("tuple concurrently updated").
            await ExecuteAsync(connection, $"grant usage on schema {PostgresDialect.Quote(schema)} to {ReaderRole}", cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        _schemas.TryAdd(schema, true);
    }

    private static async Task<long> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs one statement and returns the row count of its command tag (CREATE TABLE AS reports "SELECT n").</summary>
    private static async Task<long> ExecuteCountingAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection) { Timeout = 0 };
        var command = new NpgsqlBatchCommand(sql);
        batch.BatchCommands.Add(command);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return (long)command.Rows;
    }
}
