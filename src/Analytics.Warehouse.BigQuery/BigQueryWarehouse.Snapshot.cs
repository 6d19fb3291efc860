using System.Globalization;
using System.Text.Json.Nodes;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;

namespace Analytics.Warehouse.BigQuery;

/// <summary>Snapshots on BigQuery: the source checked, an empty table made the first time, then one MERGE per run.</summary>
public sealed partial class BigQueryWarehouse
{
    /// <summary>The statement that creates an empty snapshot of <paramref name="compiledSql"/> (replacing the history when <paramref name="rebuild"/>).</summary>
    public static string SnapshotTableStatement(BigQueryDialect dialect, AssetDefinition asset, string compiledSql, bool rebuild) =>
        $"{(rebuild ? "CREATE OR REPLACE TABLE" : "CREATE TABLE IF NOT EXISTS")} {dialect.Relation(asset.Schema, asset.Key.Name)} AS\n"
        + SnapshotSql.EmptyTable($"(\n{compiledSql.Trim()}\n)", dialect);

    /// <summary>
    /// The one MERGE of a snapshot run: each current version a change closes is matched (by key and start) and
    /// updated; each new version, and under new_record each deleted one, is not matched and inserted. One statement,
    /// so atomic: a failure leaves the history as it was.
    /// </summary>
    public static string SnapshotStatement(BigQueryDialect dialect, AssetDefinition asset, string compiledSql, IReadOnlyList<string> dataColumns, SnapshotWrite write)
    {
        var spec = asset.Snapshot!;
        var target = dialect.Relation(asset.Schema, asset.Key.Name);
        var on = (string left, string right) => string.Join(" AND ", spec.UniqueKey.Select(k => $"{left}.{k} = {right}.{k}"));
        var fromSource = string.Join(", ", dataColumns.Select(c => "s." + c));
        var fromVersion = string.Join(", ", dataColumns.Select(c => "t." + c));
        var changes = $"ch.{SnapshotSql.At}, ch.{SnapshotSql.Closes}";
        var branches = new List<string>
        {
            $"SELECT {fromVersion}, {changes}, 'close' AS merge_action, FALSE AS merge_deleted\n"
            + $"FROM changes AS ch JOIN {target} AS t ON {on("t", "ch")} AND t.{SnapshotSpec.IsCurrent} AND t.{SnapshotSpec.ValidFrom} = ch.{SnapshotSql.Closes}",
            $"SELECT {fromSource}, {changes}, 'open' AS merge_action, FALSE AS merge_deleted\n"
            + $"FROM changes AS ch JOIN snapshot_source AS s ON {on("s", "ch")} WHERE ch.{SnapshotSql.Action} = 'open'",
        };
        if (spec.HardDeletes == HardDeletes.NewRecord)
        {
            branches.Add($"SELECT {fromVersion}, {changes}, 'open' AS merge_action, TRUE AS merge_deleted\n"
                         + $"FROM changes AS ch JOIN {target} AS t ON {on("t", "ch")} AND t.{SnapshotSpec.ValidFrom} = ch.{SnapshotSql.Closes} "
                         + $"WHERE ch.{SnapshotSql.Action} = 'delete'");
        }

        var versionId = dialect.VersionId(spec.UniqueKey.Select(k => "incoming." + k).ToList(), $"incoming.{SnapshotSql.At}");
        return $"MERGE {target} AS existing\nUSING (\nWITH snapshot_source AS (\n{compiledSql.Trim()}\n),\nchanges AS (\n"
               + SnapshotSql.Changes(spec, "snapshot_source", target, dataColumns, write, dialect)
               + $"\n)\n{string.Join("\nUNION ALL\n", branches)}\n) AS incoming\n"
               + $"ON incoming.merge_action = 'close' AND {on("existing", "incoming")} AND existing.{SnapshotSpec.IsCurrent} "
               + $"AND existing.{SnapshotSpec.ValidFrom} = incoming.{SnapshotSql.Closes}\n"
               + $"WHEN MATCHED THEN UPDATE SET {SnapshotSpec.ValidTo} = incoming.{SnapshotSql.At}, {SnapshotSpec.IsCurrent} = FALSE, "
               + $"{SnapshotSpec.ClosedLoad} = {write.LoadId}\n"
               + $"WHEN NOT MATCHED AND incoming.merge_action = 'open' THEN INSERT ({string.Join(", ", dataColumns.Concat(SnapshotSpec.Bookkeeping))})\n"
               + $"VALUES ({string.Join(", ", dataColumns.Select(c => "incoming." + c))}, incoming.{SnapshotSql.At}, NULL, TRUE, incoming.merge_deleted, "
               + $"{versionId}, {write.LoadId}, NULL)";
    }

    public async Task<MaterializationResult> SnapshotAsync(AssetDefinition asset, string compiledSql, SnapshotWrite write, CancellationToken cancellationToken)
    {
        var spec = asset.Snapshot ?? throw new ArgumentException($"'{asset.Key.Name}' is not a snapshot.", nameof(asset));
        await EnsureLayerAsync(asset.Schema, cancellationToken);
        var problems = await client.QueryAsync(SnapshotSql.Problems(spec, $"(\n{compiledSql.Trim()}\n) AS incoming", _dialect), 1,
            $"checking the source of {asset.Key.Name}", cancellationToken);
        if (problems.Rows.FirstOrDefault() is { } problem)
        {
            throw new InvalidOperationException(SnapshotSql.Describe(asset, problem[0]!, long.Parse(problem[1]!, CultureInfo.InvariantCulture), problem[2]));
        }

        var dataset = _dialect.Dataset(asset.Schema);
        var existed = await client.GetTableAsync(dataset, asset.Key.Name, cancellationToken) is not null;
        await client.ExecuteAsync(SnapshotTableStatement(_dialect, asset, compiledSql, write.Rebuild), $"creating the snapshot {asset.Key.Name}", cancellationToken);
        var table = await client.GetTableAsync(dataset, asset.Key.Name, cancellationToken);
        if (table is not null && (!existed || write.Rebuild))
        {
            await SecureAsync(asset, table, cancellationToken);
        }

        // The snapshot's own columns; one the SELECT gained since it was made is not added here (PostgreSQL adds it).
        var dataColumns = (table?["schema"]?["fields"] as JsonArray ?? [])
            .Select(f => f?["name"]?.GetValue<string>() ?? "")
            .Where(n => n.Length > 0 && !SnapshotSpec.Bookkeeping.Contains(n))
            .ToList();
        var job = await client.ExecuteAsync(SnapshotStatement(_dialect, asset, compiledSql, dataColumns, write), $"snapshotting {asset.Key.Name}", cancellationToken);
        var described = Describe(await client.GetTableAsync(dataset, asset.Key.Name, cancellationToken), view: false);
        var inserted = long.TryParse(job["statistics"]?["query"]?["dmlStats"]?["insertedRowCount"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var n)
            ? n : (long?)null;
        return described with { Rows = inserted, Delta = inserted };
    }
}
