using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// The BigQuery adapter. Each layer is a dataset (raw, staging, core, marts, with the optional prefix). A table is
/// replaced atomically by one <c>CREATE OR REPLACE TABLE ... AS</c> (partitioned and clustered as the asset's header
/// says), a view by <c>CREATE OR REPLACE VIEW</c>: a failed statement leaves the previous table as it was, and no
/// half-built table is ever left behind. Checks run as queries. The run store stays PostgreSQL. By concern: datasets
/// and source tables (BigQueryWarehouse.Schema.cs), snapshots (.Snapshot.cs), the API's reads (.Reads.cs).
/// </summary>
public sealed partial class BigQueryWarehouse(BigQueryClient client) : IWarehouse
{
    private static readonly string[] Layers = ["raw", "staging", "snapshots", "core", "marts"];

    /// <summary>The datasets of other layers (a folder of the project's own) made by this process, so each is made once.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _otherLayers = new(StringComparer.Ordinal);

    private readonly BigQueryDialect _dialect = client.Settings.Dialect();

    public ISqlDialect Dialect => _dialect;

    public BigQueryClient Client => client;

    public async Task<bool> RelationExistsAsync(string schema, string name, CancellationToken cancellationToken) =>
        await client.GetTableAsync(_dialect.Dataset(schema), name, cancellationToken) is not null;

    /// <summary>The statement that builds <paramref name="asset"/> from its compiled SELECT.</summary>
    public string BuildStatement(AssetDefinition asset, string compiledSql)
    {
        var target = _dialect.Relation(asset.Schema, asset.Key.Name);
        compiledSql = compiledSql.Trim();
        if (asset.Materialization == Materialization.View)
        {
            return $"CREATE OR REPLACE VIEW {target} AS\n{compiledSql}";
        }

        var layout = new StringBuilder();
        if (asset.PartitionBy is { } partition)
        {
            layout.Append("\nPARTITION BY ").Append(partition);
        }

        if (asset.ClusterBy.Count > 0)
        {
            layout.Append("\nCLUSTER BY ").AppendJoin(", ", asset.ClusterBy);
        }

        return $"CREATE OR REPLACE TABLE {target}{layout} AS\n{compiledSql}";
    }

    /// <summary>
    /// The one statement of an incremental write. Replacing partitions is a MERGE that deletes the target's rows in
    /// them and inserts the new ones (dbt's insert_overwrite), atomic as any single statement; the affected
    /// partitions in the ON/WHEN conditions let BigQuery prune to them.
    /// </summary>
    public string IncrementalStatement(AssetDefinition asset, string compiledSql, IncrementalWrite write) =>
        IncrementalStatement(_dialect, asset, compiledSql, write);

    /// <inheritdoc cref="IncrementalStatement(AssetDefinition, string, IncrementalWrite)"/>
    public static string IncrementalStatement(BigQueryDialect dialect, AssetDefinition asset, string compiledSql, IncrementalWrite write)
    {
        var target = dialect.Relation(asset.Schema, asset.Key.Name);
        compiledSql = compiledSql.Trim();
        return write.Strategy switch
        {
            IncrementalStrategy.Append => $"INSERT INTO {target}\n{compiledSql}",
            IncrementalStrategy.InsertNew =>
                $"MERGE {target} AS existing\nUSING (\nSELECT * FROM (\n{compiledSql}\n) AS incoming\nWHERE TRUE{write.InPartitions("incoming", dialect, "AND")}\n) AS incoming\n"
                + $"ON {write.Matches("existing", "incoming", "AND")}{write.InPartitions("existing", dialect, "AND")}"
                + "\nWHEN NOT MATCHED THEN INSERT ROW",
            _ =>
                $"MERGE {target} AS existing\nUSING (\nSELECT * FROM (\n{compiledSql}\n) AS incoming\nWHERE {write.Predicate("incoming." + write.Column, dialect)}\n) AS incoming\n"
                + "ON FALSE\n"
                + $"WHEN NOT MATCHED BY SOURCE AND {write.Predicate("existing." + write.Column, dialect)} THEN DELETE\n"
                + "WHEN NOT MATCHED THEN INSERT ROW",
        };
    }

    public async Task<MaterializationResult> MaterializeAsync(AssetDefinition asset, string compiledSql, IncrementalWrite? incremental, CancellationToken cancellationToken)
    {
        await EnsureLayerAsync(asset.Schema, cancellationToken);
        var target = $"{_dialect.Dataset(asset.Schema)}.{asset.Key.Name}";
        var statement = asset.Materialization == Materialization.Incremental && incremental is not null
            ? IncrementalStatement(asset, compiledSql, incremental)
            : BuildStatement(asset, compiledSql);
        var job = await client.ExecuteAsync(statement, $"building {target}", cancellationToken);
        var table = await client.GetTableAsync(_dialect.Dataset(asset.Schema), asset.Key.Name, cancellationToken);
        if (table is not null && asset.Materialization != Materialization.View && incremental is null)
        {
            // CREATE OR REPLACE TABLE dropped the table's row access policies and policy tags: put them back.
            await SecureAsync(asset, table, cancellationToken);
        }

        var described = Describe(table, asset.Materialization == Materialization.View);
        if (asset.Materialization == Materialization.Incremental && incremental is not null)
        {
            // The table's numRows is its size after the write; what the write touched is the job's DML count, where it gives one.
            var affected = long.TryParse(job["statistics"]?["query"]?["numDmlAffectedRows"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var n)
                ? n : (long?)null;
            return described with { Rows = affected };
        }

        return described;
    }

    /// <summary>The row access policies and policy tags of <see cref="BigQueryAccess"/> on a table just built.</summary>
    private async Task SecureAsync(AssetDefinition asset, JsonNode table, CancellationToken cancellationToken)
    {
        var access = client.Settings.AccessOrNone;
        var fields = table["schema"]?["fields"] as JsonArray ?? [];
        var relation = _dialect.Relation(asset.Schema, asset.Key.Name);
        var hasTenant = fields.Any(f => f?["name"]?.GetValue<string>() == "tenant_id");
        if (access.RowAccessStatements(relation, hasTenant) is { Count: > 0 } policies)
        {
            await client.ExecuteAsync(string.Join(";\n", policies), $"granting the row access of {asset.Key.Name}", cancellationToken);
        }

        if (access.PolicyTagPatch(fields, asset) is { } patch)
        {
            await client.PatchTableAsync(_dialect.Dataset(asset.Schema), asset.Key.Name, patch, cancellationToken);
        }
    }

    public async Task<long> CountRowsAsync(AssetDefinition asset, CancellationToken cancellationToken) =>
        Describe(await client.GetTableAsync(_dialect.Dataset(asset.Schema), asset.Key.Name, cancellationToken), view: false).TableRows ?? 0;

    /// <summary>The statement that stages an asset's affected keys, and the subquery that then reads them.</summary>
    public static (string Statement, string Reader) StageStatement(BigQueryDialect dialect, AssetDefinition asset, string sql)
    {
        var table = dialect.Relation(asset.Schema, asset.Key.Name + "__affected");
        return ($"CREATE OR REPLACE TABLE {table} AS\nSELECT DISTINCT * FROM (\n{sql}\n) AS affected", $"(SELECT * FROM {table})");
    }

    public async Task<string> StageAffectedAsync(AssetDefinition asset, string sql, CancellationToken cancellationToken)
    {
        var (statement, reader) = StageStatement(_dialect, asset, sql);
        await client.ExecuteAsync(statement, $"staging the keys {asset.Key.Name} rebuilds", cancellationToken);
        return reader;
    }

    public async Task<IReadOnlyList<DateOnly>> QueryDatesAsync(string sql, int limit, CancellationToken cancellationToken)
    {
        var result = await client.QueryAsync($"select distinct * from (\n{sql}\n) as dates limit {limit + 1}", limit + 1, "finding the partitions to build", cancellationToken);
        return result.Rows.Where(r => r[0] is not null).Select(r => DateOnly.Parse(r[0]!, CultureInfo.InvariantCulture)).ToList();
    }

    public async Task<MaterializationResult> ObserveAsync(AssetDefinition asset, SourceSize? since, long? upTo, CancellationToken cancellationToken)
    {
        var table = await client.GetTableAsync(_dialect.Dataset(asset.Schema), asset.Key.Name, cancellationToken)
                    ?? throw new InvalidOperationException(
                        $"source {_dialect.Relation(asset.Schema, asset.Key.Name)} does not exist yet; load it first (for raw_events: analytics ingest PATH).");
        return Describe(table, false);
    }

    public async Task<IReadOnlyList<long>> QueryCountsAsync(string countsSql, CancellationToken cancellationToken, bool wholeTable = false)
    {
        var result = await client.QueryAsync(countsSql, 1, "running checks", cancellationToken);
        return result.Rows is [var row, ..]
            ? row.Select(value => long.Parse(value ?? "0", CultureInfo.InvariantCulture)).ToList()
            : throw new InvalidOperationException("a query of counts returned no row");
    }

    public async Task<CheckOutcome> QueryFailuresAsync(string failingRowsSql, int sampleSize, CancellationToken cancellationToken, bool wholeTable = false)
    {
        var sql = $"select failing.*, count(*) over () as failing_rows__ from ({failingRowsSql}) as failing limit {sampleSize}";
        var result = await client.QueryAsync(sql, sampleSize, "running a check", cancellationToken);
        long total = 0;
        var sample = new List<string>();
        foreach (var row in result.Rows)
        {
            total = long.Parse(row[^1]!, CultureInfo.InvariantCulture);
            sample.Add(string.Join(", ", result.Fields.Take(row.Length - 1).Select((f, i) => $"{f.Name}={Display(f, row[i])}")));
        }

        return new CheckOutcome(total, sample);
    }

    /// <summary>CREATE OR REPLACE is one atomic statement: a build that dies leaves nothing behind to sweep.</summary>
    public Task<IReadOnlyList<AssetDefinition>> FindAbandonedBuildsAsync(IReadOnlyCollection<AssetDefinition> assets, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AssetDefinition>>([]);

    public Task<bool> DropAbandonedBuildAsync(AssetDefinition asset, CancellationToken cancellationToken) => Task.FromResult(false);

    private static MaterializationResult Describe(JsonNode? table, bool view)
    {
        var rows = view ? (long?)null : long.TryParse(table?["numRows"]?.GetValue<string>(), CultureInfo.InvariantCulture, out var n) ? n : 0;
        return new MaterializationResult(rows, table is null ? [] : Fields(table).Select(Column).ToList()) { TableRows = rows };
    }

    private static List<BigQueryField> Fields(JsonNode table) =>
        (table["schema"]?["fields"] as JsonArray ?? []).Select(f => BigQueryField.FromJson(f!)).ToList();

    /// <summary>A column under the type names the API and UI know from PostgreSQL, so charts treat both warehouses alike.</summary>
    public static ColumnInfo Column(BigQueryField field) => new(field.Name, field.Type switch
    {
        "INT64" or "INTEGER" => "bigint",
        "FLOAT64" or "FLOAT" => "double precision",
        "NUMERIC" or "BIGNUMERIC" => "numeric",
        "BOOL" or "BOOLEAN" => "boolean",
        "DATE" => "date",
        "TIMESTAMP" => "timestamp with time zone",
        "DATETIME" => "timestamp without time zone",
        _ => "text",
    });

}
