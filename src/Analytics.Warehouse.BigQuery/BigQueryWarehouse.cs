using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Sources;
using Analytics.Core.Templating;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// The BigQuery adapter. Each layer is a dataset (raw, staging, core, marts, with the optional prefix). A table is
/// replaced atomically by one <c>CREATE OR REPLACE TABLE ... AS</c> (partitioned and clustered as the asset's header
/// says), a view by <c>CREATE OR REPLACE VIEW</c>: a failed statement leaves the previous table as it was, and no
/// half-built table is ever left behind. Checks run as queries. The run store stays PostgreSQL.
/// </summary>
public sealed partial class BigQueryWarehouse(BigQueryClient client) : IWarehouse
{
    /// <summary>A declared source's table, column for column as its load writes it: load id, line, identity, declared columns.</summary>
    public static IReadOnlyList<BigQueryField> SchemaOf(AssetDefinition source)
    {
        var declaration = source.Source ?? throw new InvalidOperationException($"{source.SourcePath}: '{source.Key.Name}' declares no columns.");
        var fields = new List<BigQueryField> { new(declaration.LoadIdColumn, "INT64", "REQUIRED"), new("line_number", "INT64", "REQUIRED") };
        if (declaration.Identity is { } identity)
        {
            fields.Add(new BigQueryField(identity.Column, "STRING", "REQUIRED"));
        }

        fields.AddRange(declaration.Columns.Select(c => new BigQueryField(c.Name, TypeOf(c.Type), c.Required && c.When is null ? "REQUIRED" : "NULLABLE")));
        return fields;
    }

    /// <summary>The BigQuery type of a declared column.</summary>
    public static string TypeOf(SourceColumnType type) => type switch
    {
        SourceColumnType.Text => "STRING",
        SourceColumnType.Integer => "INT64",
        SourceColumnType.Numeric => "NUMERIC",
        SourceColumnType.Timestamp => "TIMESTAMP",
        SourceColumnType.Date => "DATE",
        _ => "BOOL",
    };

    /// <summary>A source's rejected rows: the load, file, line, raw text and reason.</summary>
    public static IReadOnlyList<BigQueryField> RejectedSchemaOf(AssetDefinition source) =>
    [
        new(source.Source?.LoadIdColumn ?? "load_id", "INT64", "REQUIRED"),
        new("file_path", "STRING", "REQUIRED"),
        new("line_number", "INT64", "REQUIRED"),
        new("raw_text", "STRING", "REQUIRED"),
        new("reason", "STRING", "REQUIRED"),
    ];

    private static readonly string[] Layers = ["raw", "staging", "snapshots", "core", "marts"];

    /// <summary>The datasets of other layers (a folder of the project's own) made by this process, so each is made once.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> _otherLayers = new(StringComparer.Ordinal);

    private readonly BigQueryDialect _dialect = client.Settings.Dialect();

    public ISqlDialect Dialect => _dialect;

    public BigQueryClient Client => client;

    public async Task EnsureSchemaAsync(IReadOnlyCollection<AssetDefinition> sources, CancellationToken cancellationToken)
    {
        foreach (var layer in Layers)
        {
            await client.EnsureDatasetAsync(_dialect.Dataset(layer), cancellationToken);
        }

        foreach (var source in sources.Where(s => s.Source is not null))
        {
            var key = source.Key.Name;
            await client.ExecuteAsync(CreateTableIfMissing(key, SchemaOf(source)), $"creating raw.{key}", cancellationToken);
            // A table made by an earlier declaration gains the columns declared since.
            foreach (var column in source.Source!.Columns)
            {
                await client.ExecuteAsync($"ALTER TABLE {_dialect.Relation("raw", key)} ADD COLUMN IF NOT EXISTS {column.Name} {TypeOf(column.Type)}",
                    $"adding {column.Name} to raw.{key}", cancellationToken);
            }

            await client.ExecuteAsync(CreateTableIfMissing(key + "_rejected", RejectedSchemaOf(source)), $"creating raw.{key}_rejected", cancellationToken);
        }
    }

    /// <summary>The DDL of a landing table.</summary>
    public string CreateTableIfMissing(string table, IReadOnlyList<BigQueryField> schema) =>
        $"CREATE TABLE IF NOT EXISTS {_dialect.Relation("raw", table)} (\n  "
        + string.Join(",\n  ", schema.Select(f => $"{f.Name} {f.Type}{(f.Mode == "REQUIRED" ? " NOT NULL" : "")}"))
        + "\n)";

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
                $"MERGE {target} AS existing\nUSING (\n{compiledSql}\n) AS incoming\n"
                + $"ON existing.{write.Column} = incoming.{write.Column}"
                + (write.ProbeColumn is { } probe ? $" AND existing.{probe} = incoming.{probe}" : "")
                + "\nWHEN NOT MATCHED THEN INSERT ROW",
            _ =>
                $"MERGE {target} AS existing\nUSING (\nSELECT * FROM (\n{compiledSql}\n) AS incoming\nWHERE {write.Predicate("incoming." + write.Column, dialect)}\n) AS incoming\n"
                + "ON FALSE\n"
                + $"WHEN NOT MATCHED BY SOURCE AND {write.Predicate("existing." + write.Column, dialect)} THEN DELETE\n"
                + "WHEN NOT MATCHED THEN INSERT ROW",
        };
    }

    /// <summary>Makes the dataset of a layer outside the shipped ones (which <see cref="EnsureSchemaAsync"/> makes), once per process.</summary>
    private Task EnsureLayerAsync(string layer, CancellationToken cancellationToken) =>
        Layers.Contains(layer) ? Task.CompletedTask
            : _otherLayers.GetOrAdd(layer, l => client.EnsureDatasetAsync(_dialect.Dataset(l), cancellationToken));

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

    public async Task<MaterializationResult> ObserveAsync(AssetDefinition asset, CancellationToken cancellationToken)
    {
        var table = await client.GetTableAsync(_dialect.Dataset(asset.Schema), asset.Key.Name, cancellationToken)
                    ?? throw new InvalidOperationException(
                        $"source {_dialect.Relation(asset.Schema, asset.Key.Name)} does not exist yet; load it first (for raw_events: analytics ingest PATH).");
        return Describe(table, false);
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

    public async Task<TablePreview?> PreviewAsync(AssetDefinition asset, int limit, ReadScope scope, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var dataset = _dialect.Dataset(asset.Schema);
        var table = await client.GetTableAsync(dataset, asset.Key.Name, cancellationToken);
        if (table is null)
        {
            return null;
        }

        var fields = Fields(table);
        // tabledata.list reads a table's storage for free; a view has none, so it is queried.
        var rows = table["type"]?.GetValue<string>() == "VIEW"
            ? (await client.QueryAsync($"select * from {_dialect.Relation(asset.Schema, asset.Key.Name)} limit {limit}", limit, $"previewing {dataset}.{asset.Key.Name}", cancellationToken)).Rows
            : await client.ListRowsAsync(dataset, asset.Key.Name, limit, cancellationToken);
        return new TablePreview(fields.Select(f => Column(scope, f)).ToList(), rows.Select(r => Masked(scope, fields, r)).ToList());
    }

    public async Task<TableRows?> QueryAsync(AssetDefinition asset, TableQuery query, ReadScope scope, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var dataset = _dialect.Dataset(asset.Schema);
        var table = await client.GetTableAsync(dataset, asset.Key.Name, cancellationToken);
        if (table is null)
        {
            return null;
        }

        var types = Fields(table).ToDictionary(f => f.Name, StringComparer.Ordinal);
        var grouped = query.GroupBy.Count > 0;
        var chosen = query.ResolveColumns(types.Keys, asset.Key.Name);
        // Masked here after reading (the key stays out of the job's SQL, which the project's members can read): so the
        // raw values must not decide which rows come back or in what order.
        if (query.Filters.Select(f => f.Column).Concat(query.GroupBy).Append(query.OrderBy ?? "").FirstOrDefault(scope.IsMasked) is { } hidden)
        {
            throw new TableQueryException($"'{hidden}' of '{asset.Key.Name}' is classified and comes back masked to this key on BigQuery, so it cannot "
                                          + "filter, group or order a query; ask for a key with the pii permission, or leave it out.");
        }

        var sql = new StringBuilder("select ").AppendJoin(", ", chosen.Select(BigQueryDialect.Quote));
        if (grouped)
        {
            sql.Append(", count(*) as `count`");
        }

        sql.Append(", count(*) over () as __total from ").Append(_dialect.Relation(asset.Schema, asset.Key.Name));
        for (var i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            var field = types[filter.Column];
            sql.Append(i == 0 ? " where " : " and ").Append(BigQueryDialect.Quote(filter.Column)).Append(filter.SqlOperator).Append(Literal(field, filter.Value, asset));
        }

        if (grouped)
        {
            sql.Append(" group by ").AppendJoin(", ", Enumerable.Range(1, chosen.Count));
        }

        var unmasked = Enumerable.Range(1, chosen.Count).Where(i => !scope.IsMasked(chosen[i - 1])).ToList();
        if (query.OrderBy is not null || unmasked.Count > 0)
        {
            sql.Append(" order by ").Append(query.OrderBy is { } order
                ? BigQueryDialect.Quote(order) + (query.Descending ? " desc" : "")
                : string.Join(", ", unmasked));
        }

        sql.Append(" limit ").Append(query.Limit.ToString(CultureInfo.InvariantCulture));
        var result = await client.QueryAsync(sql.ToString(), query.Limit, $"querying {dataset}.{asset.Key.Name}", cancellationToken);
        var fields = chosen.Select(c => types[c]).ToList();
        if (grouped)
        {
            fields.Add(new BigQueryField(TableQuery.CountColumn, "INT64"));
        }

        var rows = result.Rows.Select(r => Masked(scope, fields, r[..fields.Count])).ToList();
        var total = result.Rows.Count > 0 ? long.Parse(result.Rows[0][^1]!, CultureInfo.InvariantCulture) : 0;
        return new TableRows(fields.Select(f => Column(scope, f)).ToList(), rows, total);
    }

    /// <summary>
    /// A filter value as a GoogleSQL literal of its column's type. The value is parsed here first, so text that is not
    /// of the type is refused with the column's name and never reaches the SQL.
    /// </summary>
    private static string Literal(BigQueryField field, string value, AssetDefinition asset)
    {
        var ok = true;
        var literal = field.Type switch
        {
            "INT64" or "INTEGER" => (ok = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) ? n.ToString(CultureInfo.InvariantCulture) : "",
            "FLOAT64" or "FLOAT" => (ok = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d)) ? d.ToString("R", CultureInfo.InvariantCulture) : "",
            "NUMERIC" or "BIGNUMERIC" => (ok = decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var m)) ? $"NUMERIC '{m.ToString(CultureInfo.InvariantCulture)}'" : "",
            "DATE" => (ok = DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) ? $"DATE '{day:yyyy-MM-dd}'" : "",
            "BOOL" or "BOOLEAN" => (ok = bool.TryParse(value, out var b)) ? (b ? "TRUE" : "FALSE") : "",
            "TIMESTAMP" => (ok = DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) ? $"TIMESTAMP '{t.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff}+00'" : "",
            // A string literal: backslash and quote escaped, so the value cannot end it.
            _ => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'").Replace("\n", "\\n").Replace("\r", "\\r") + "'",
        };
        return ok ? literal : throw new TableQueryException(
            $"A filter value does not fit its column of '{asset.Key.Name}': '{value}' is not a {Column(field).Type} ({field.Name}).");
    }

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

    /// <summary>BigQuery's JSON values (strings) as the CLR values the PostgreSQL adapter returns for the same types.</summary>
    /// <summary>A row as <paramref name="scope"/> may see it: each masked column's text replaced by its keyed hash.</summary>
    private static object?[] Masked(ReadScope scope, IReadOnlyList<BigQueryField> fields, string?[] row)
    {
        var values = Values(fields, row);
        for (var i = 0; i < values.Length; i++)
        {
            if (scope.IsMasked(fields[i].Name) && row[i] is { } text)
            {
                values[i] = ReadScope.Mask(scope.MaskKey, text);
            }
        }

        return values;
    }

    private static ColumnInfo Column(ReadScope scope, BigQueryField field) =>
        scope.IsMasked(field.Name) ? new ColumnInfo(field.Name, "STRING") : Column(field);

    public static object?[] Values(IReadOnlyList<BigQueryField> fields, string?[] row)
    {
        var values = new object?[fields.Count];
        for (var i = 0; i < values.Length && i < row.Length; i++)
        {
            values[i] = row[i] is not { } v ? null : fields[i].Type switch
            {
                "INT64" or "INTEGER" => long.Parse(v, CultureInfo.InvariantCulture),
                "FLOAT64" or "FLOAT" => double.Parse(v, CultureInfo.InvariantCulture),
                "NUMERIC" or "BIGNUMERIC" => decimal.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
                "BOOL" or "BOOLEAN" => bool.Parse(v),
                "DATE" => DateOnly.ParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture),
                "TIMESTAMP" => TimestampValue(v),
                _ => v,
            };
        }

        return values;
    }

    /// <summary>A TIMESTAMP cell: microseconds since the epoch (useInt64Timestamp) or seconds as a float (the default format).</summary>
    private static DateTime TimestampValue(string v) =>
        long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var micros)
            ? DateTime.UnixEpoch.AddTicks(micros * 10)
            : DateTime.UnixEpoch.AddTicks((long)(double.Parse(v, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond));

    private static string Display(BigQueryField field, string? value) => value is null ? "null"
        : field.Type == "TIMESTAMP" ? TimestampValue(value).ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture)
        : value;
}
