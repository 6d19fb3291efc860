using System.Globalization;
using System.Text;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;

namespace Analytics.Warehouse.BigQuery;

/// <summary>The reads for the API: a preview and a mart query as the principal's scope may see them, and BigQuery's JSON values read back as .NET ones.</summary>
public sealed partial class BigQueryWarehouse
{
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
