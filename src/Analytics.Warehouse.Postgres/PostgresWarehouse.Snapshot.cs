using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>Snapshots: the source staged once, refused whole if it breaks the key, then an update and inserts in one transaction.</summary>
public sealed partial class PostgresWarehouse
{
    /// <summary>The temporary tables a snapshot write stages its source and its changes in (dropped at commit).</summary>
    public const string SnapshotIncoming = "snapshot_incoming", SnapshotChanges = "snapshot_changes";

    /// <summary>
    /// The statements that apply a snapshot run to <paramref name="target"/> once its source is staged in
    /// <see cref="SnapshotIncoming"/>: stage the changes, close the versions they replace or end, insert the new
    /// versions (and, under new_record, the deleted ones). The count of each insert is versions added.
    /// </summary>
    public static IReadOnlyList<string> SnapshotStatements(SnapshotSpec spec, string target, IReadOnlyList<string> dataColumns, SnapshotWrite write)
    {
        var dialect = PostgresDialect.Instance;
        var on = (string left, string right) => string.Join(" and ", spec.UniqueKey.Select(k => $"{left}.{k} = {right}.{k}"));
        var columns = string.Join(", ", dataColumns.Concat(SnapshotSpec.Bookkeeping));
        var statements = new List<string>
        {
            $"create temp table {SnapshotChanges} on commit drop as\n{SnapshotSql.Changes(spec, SnapshotIncoming, target, dataColumns, write, dialect)}",
            $"update {target} as t set {SnapshotSpec.ValidTo} = ch.{SnapshotSql.At}, {SnapshotSpec.IsCurrent} = false, {SnapshotSpec.ClosedLoad} = {write.LoadId}\n"
            + $"from {SnapshotChanges} as ch where {on("t", "ch")} and t.{SnapshotSpec.IsCurrent} and t.{SnapshotSpec.ValidFrom} = ch.{SnapshotSql.Closes}",
            $"insert into {target} ({columns})\nselect {string.Join(", ", dataColumns.Select(c => "s." + c))}, "
            + $"{SnapshotSql.OpenedVersion(spec, "ch", deleted: false, write, dialect)}\n"
            + $"from {SnapshotChanges} as ch join {SnapshotIncoming} as s on {on("s", "ch")} where ch.{SnapshotSql.Action} = 'open'",
        };
        if (spec.HardDeletes == HardDeletes.NewRecord)
        {
            // The deleted version carries the last values the key had, as dbt's new_record does.
            statements.Add($"insert into {target} ({columns})\nselect {string.Join(", ", dataColumns.Select(c => "t." + c))}, "
                           + $"{SnapshotSql.OpenedVersion(spec, "ch", deleted: true, write, dialect)}\n"
                           + $"from {SnapshotChanges} as ch join {target} as t on {on("t", "ch")} and t.{SnapshotSpec.ValidFrom} = ch.{SnapshotSql.Closes} "
                           + $"where ch.{SnapshotSql.Action} = 'delete'");
        }

        return statements;
    }

    public async Task<MaterializationResult> SnapshotAsync(AssetDefinition asset, string compiledSql, SnapshotWrite write, CancellationToken cancellationToken)
    {
        var spec = asset.Snapshot ?? throw new ArgumentException($"'{asset.Key.Name}' is not a snapshot.", nameof(asset));
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var target = Dialect.Relation(asset.Schema, asset.Key.Name);
        await EnsureSchemaAsync(connection, asset.Schema, cancellationToken);
        // One transaction: a refusal, a failure or a cancel leaves the history as the last run left it.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"create temp table {SnapshotIncoming} on commit drop as\n{compiledSql}", cancellationToken);
        await RefuseProblemsAsync(connection, asset, spec, cancellationToken);
        if (write.Rebuild)
        {
            await ExecuteAsync(connection, await DropStatementAsync(connection, target, cancellationToken), cancellationToken);
        }

        if (!await RelationExistsAsync(connection, target, cancellationToken))
        {
            await ExecuteAsync(connection, $"create table {target} as\n{SnapshotSql.EmptyTable(SnapshotIncoming, Dialect)}", cancellationToken);
            await ExecuteAsync(connection, $"create index on {target} ({string.Join(", ", spec.UniqueKey)}, {SnapshotSpec.ValidFrom})", cancellationToken);
            await SecureAsync(connection, asset, target, cancellationToken);
        }

        var dataColumns = await AddNewColumnsAsync(connection, asset, target, cancellationToken);
        long added = 0;
        foreach (var statement in SnapshotStatements(spec, target, dataColumns, write))
        {
            var rows = await ExecuteCountingAsync(connection, statement, cancellationToken);
            added += statement.StartsWith("insert ", StringComparison.Ordinal) ? rows : 0;
        }

        await ExecuteAsync(connection, $"analyze {target}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new MaterializationResult(added, await ColumnsAsync(connection, target, cancellationToken))
        {
            TableRows = await CountRowsAsync(asset, cancellationToken),
            Delta = added,
        };
    }

    private static async Task RefuseProblemsAsync(NpgsqlConnection connection, AssetDefinition asset, SnapshotSpec spec, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(SnapshotSql.Problems(spec, SnapshotIncoming, PostgresDialect.Instance), connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException(SnapshotSql.Describe(asset, reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        }
    }

    /// <summary>
    /// The snapshot's own columns that its source still selects, after adding those the source gained since (their
    /// earlier versions hold null there). A column the source no longer selects stays, null in new versions.
    /// </summary>
    private static async Task<IReadOnlyList<string>> AddNewColumnsAsync(NpgsqlConnection connection, AssetDefinition asset, string target, CancellationToken cancellationToken)
    {
        var incoming = await ColumnTypesAsync(connection, SnapshotIncoming, cancellationToken);
        var existing = await ColumnTypesAsync(connection, target, cancellationToken);
        foreach (var (name, type) in incoming.Where(c => !existing.ContainsKey(c.Key)))
        {
            if (SnapshotSpec.Bookkeeping.Contains(name))
            {
                throw new InvalidOperationException(
                    $"snapshot '{asset.Key.Name}': its SELECT has a column '{name}', a name the snapshot adds itself ({string.Join(", ", SnapshotSpec.Bookkeeping)}); rename it.");
            }

            await ExecuteAsync(connection, $"alter table {target} add column {PostgresDialect.Quote(name)} {type}", cancellationToken);
        }

        return incoming.Keys.Where(c => !SnapshotSpec.Bookkeeping.Contains(c)).Select(Identifier).ToList();
    }

    /// <summary>A column name as SQL: bare when it is a plain lower-case name, quoted otherwise.</summary>
    private static string Identifier(string name) =>
        name.Length > 0 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_') && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? name
            : PostgresDialect.Quote(name);

    /// <summary>Whether the relation exists as the transaction on <paramref name="connection"/> sees it (after a rebuild's drop, it does not).</summary>
    private static async Task<bool> RelationExistsAsync(NpgsqlConnection connection, string relation, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select to_regclass($1) is not null", connection);
        command.Parameters.AddWithValue(relation);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
