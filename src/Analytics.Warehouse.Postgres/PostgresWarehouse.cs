using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// The PostgreSQL adapter: tables are built aside and swapped in within one transaction. Its reads for the API are in
/// PostgresWarehouse.Reads.cs, who may read what (row-level security, the Superset role) in PostgresWarehouse.Access.cs.
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

    /// <summary>The statements of an incremental write, run in one transaction; the last one's count is the rows written, a delete's the rows it removed.</summary>
    public static IReadOnlyList<string> IncrementalStatements(string target, string sql, IncrementalWrite write)
    {
        var dialect = PostgresDialect.Instance;
        return write.Strategy switch
        {
            IncrementalStrategy.Append => [$"insert into {target}\n{sql}"],
            IncrementalStrategy.InsertNew =>
            [
                $"insert into {target}\nselect * from (\n{sql}\n) as incoming\nwhere not exists (select 1 from {target} as existing where existing.{write.Column} = incoming.{write.Column}"
                + (write.ProbeColumn is { } probe ? $" and existing.{probe} = incoming.{probe})" : ")"),
            ],
            _ =>
            [
                $"delete from {target} as existing where {write.Predicate("existing." + write.Column, dialect)}",
                $"insert into {target}\nselect * from (\n{sql}\n) as incoming\nwhere {write.Predicate("incoming." + write.Column, dialect)}",
            ],
        };
    }

    private static async Task<(long Written, long Delta)> WriteIncrementalAsync(NpgsqlConnection connection, string target, string sql, IncrementalWrite write,
        CancellationToken cancellationToken)
    {
        // One transaction: a failure or a cancel leaves every partition as it was; readers see the old rows or the new.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        long rows = 0, delta = 0;
        foreach (var statement in IncrementalStatements(target, sql, write))
        {
            rows = await ExecuteCountingAsync(connection, statement, cancellationToken);
            delta += statement.StartsWith("delete ", StringComparison.Ordinal) ? -rows : rows;
        }

        await transaction.CommitAsync(cancellationToken);
        return (rows, delta);
    }

    /// <summary>The name of the scratch table of an asset's affected keys.</summary>
    public const string AffectedSuffix = "__affected";

    /// <summary>The statements that stage the affected keys, and the subquery that then reads them.</summary>
    public static (IReadOnlyList<string> Statements, string Reader) StageStatements(string schema, string key, string sql)
    {
        var table = PostgresDialect.Instance.Relation(schema, key + AffectedSuffix);
        return ([
            $"drop table if exists {table}",
            $"create unlogged table {table} as select distinct * from (\n{sql}\n) as affected(affected_key)",
            // Indexed: where the planner misjudges a CTE's size and picks a nested loop, each probe is a lookup.
            $"create index on {table} (affected_key)",
            $"analyze {table}",
        ], $"(select * from {table})");
    }

    public async Task<string> StageAffectedAsync(AssetDefinition asset, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (statements, reader) = StageStatements(asset.Schema, asset.Key.Name, sql);
        foreach (var statement in statements)
        {
            await ExecuteAsync(connection, statement, cancellationToken);
        }

        return reader;
    }

    public async Task<IReadOnlyList<DateOnly>> QueryDatesAsync(string sql, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select distinct * from (\n{sql}\n) as dates limit {limit + 1}");
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var dates = new List<DateOnly>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(0))
            {
                dates.Add(reader.GetFieldValue<DateOnly>(0));
            }
        }

        return dates;
    }

    public async Task<MaterializationResult> ObserveAsync(AssetDefinition asset, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var target = Dialect.Relation(asset.Schema, asset.Key.Name);
        if (!await RelationExistsAsync(asset.Schema, asset.Key.Name, cancellationToken))
        {
            throw new InvalidOperationException($"source {target} does not exist yet; load it first (for raw_events: analytics ingest PATH).");
        }

        await using var count = new NpgsqlCommand($"select count(*) from {target}", connection);
        var rows = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        return new MaterializationResult(rows, await ColumnsAsync(connection, target, cancellationToken)) { TableRows = rows };
    }

    public async Task<CheckOutcome> QueryFailuresAsync(string failingRowsSql, int sampleSize, CancellationToken cancellationToken, bool wholeTable = false)
    {
        // One scan: the window count rides along with the first few failing rows.
        var sql = $"select failing.*, count(*) over () as failing_rows__ from ({failingRowsSql}) as failing limit {sampleSize}";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (wholeTable)
        {
            // A check of a whole table reads all of it: a scan. After an incremental write has cleared the visibility
            // of pages all over a big table, an index walk with heap fetches took 18 s where the scan takes 1.
            await ExecuteAsync(connection, "set local enable_indexscan = off; set local enable_indexonlyscan = off; set local enable_bitmapscan = off",
                cancellationToken);
        }

        await using var command = new NpgsqlCommand(sql, connection, transaction);
        command.CommandTimeout = 0; // As long as the table needs; a canceled run cancels it.
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        long total = 0;
        var sample = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            total = reader.GetInt64(reader.FieldCount - 1);
            var row = new StringBuilder();
            for (var i = 0; i < reader.FieldCount - 1; i++)
            {
                row.Append(i == 0 ? "" : ", ").Append(reader.GetName(i)).Append('=')
                    .Append(reader.IsDBNull(i) ? "null" : Display(reader.GetValue(i)));
            }

            sample.Add(row.ToString());
        }

        return new CheckOutcome(total, sample);
    }

    private static string Display(object value) => value switch
    {
        DateTime t when t.TimeOfDay == TimeSpan.Zero => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    private async Task<long> BuildTableAsync(NpgsqlConnection connection, AssetDefinition asset, string target, string sql, CancellationToken cancellationToken)
    {
        var building = Dialect.Relation(asset.Schema, asset.Key.Name + BuildingSuffix);
        await ExecuteAsync(connection, $"drop table if exists {building}", cancellationToken);
        long rows;
        try
        {
            rows = await ExecuteCountingAsync(connection, $"create table {building} as\n{Clustered(asset, sql)}", cancellationToken);
            var indexes = IndexesOf(asset).ToList();
            foreach (var columns in indexes)
            {
                await ExecuteAsync(connection, $"create index on {building} ({string.Join(", ", columns)})", cancellationToken);
            }

            // Vacuumed once built, an indexed table's visibility map is set, so a check or probe on indexed columns
            // reads the index alone; otherwise the planner may walk the index and fetch 10 M rows at random (which
            // took longer than the check's time limit where a sort takes seconds).
            await ExecuteAsync(connection, $"{(indexes.Count > 0 ? "vacuum analyze" : "analyze")} {building}", cancellationToken);
            // Granted on the table being built, so the grants and the policy move with it when it is swapped in.
            await SecureAsync(connection, asset, building, cancellationToken);
        }
        catch
        {
            await ExecuteAsync(connection, $"drop table if exists {building}", CancellationToken.None);
            throw;
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"{await DropStatementAsync(connection, target, cancellationToken)};\n"
            + $"alter table {building} rename to {PostgresDialect.Quote(asset.Key.Name)}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    /// <summary>
    /// A table partitioned by date is written in partition order, so each partition's rows share pages, as a
    /// partitioned warehouse keeps them apart: replacing, checking or reading a few days then touches a few pages,
    /// not rows spread over the whole heap (a 4-day delete from 10 M rows went from 3 s to a fraction).
    /// </summary>
    private static string Clustered(AssetDefinition asset, string sql) =>
        asset.Incremental is { PartitionBy: { } partition } ? $"select * from (\n{sql}\n) as built order by {partition}" : sql;

    /// <summary>
    /// The header's indexes, and for an incremental asset its partition column and key, which every incremental
    /// build deletes and probes by.
    /// </summary>
    private static IEnumerable<IReadOnlyList<string>> IndexesOf(AssetDefinition asset)
    {
        var indexes = asset.Indexes.ToList();
        if (asset.Incremental is { } spec)
        {
            indexes.Insert(0, spec is { Strategy: IncrementalStrategy.InsertNew, PartitionBy: { } part } ? [part, spec.UniqueKey!] : [spec.Column]);
        }

        return indexes.DistinctBy(columns => string.Join(",", columns));
    }

    private async Task<long?> BuildViewAsync(NpgsqlConnection connection, AssetDefinition asset, string target, string sql, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // security_invoker: the view reads its tables as the reader, so their row-level security holds through it.
        await ExecuteAsync(connection, $"{await DropStatementAsync(connection, target, cancellationToken)};\ncreate view {target} with (security_invoker = true) as\n{sql}",
            cancellationToken);
        await SecureAsync(connection, asset, target, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>The statement that removes whatever stands at <paramref name="target"/>, table or view.</summary>
    private static async Task<string> DropStatementAsync(NpgsqlConnection connection, string target, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select relkind::text from pg_class where oid = to_regclass($1)", connection);
        command.Parameters.AddWithValue(target);
        var kind = await command.ExecuteScalarAsync(cancellationToken) as string;
        return kind switch
        {
            "v" => $"drop view {target} cascade",
            "r" or "p" => $"drop table {target} cascade",
            _ => "select 1",
        };
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
