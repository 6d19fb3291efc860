using Analytics.Core.Templating;

namespace Analytics.Warehouse.BigQuery;

/// <summary>GoogleSQL rendering; datasets carry the layer names (raw, staging, core, marts), with an optional prefix.</summary>
public sealed class BigQueryDialect(string? project = null, string datasetPrefix = "") : ISqlDialect
{
    public string Name => "bigquery";

    public string? Project => project;

    public string DatasetPrefix => datasetPrefix;

    /// <summary>The dataset a layer schema lives in.</summary>
    public string Dataset(string schema) => datasetPrefix + schema;

    public string Relation(string schema, string name) =>
        project is null ? Quote($"{Dataset(schema)}.{name}") : Quote($"{project}.{Dataset(schema)}.{name}");

    /// <summary>A quoted identifier (a column, or a whole table path): the one way the BigQuery adapter writes a name into SQL.</summary>
    public static string Quote(string identifier) => "`" + identifier.Replace("\\", "\\\\").Replace("`", "\\`") + "`";

    public string DateTrunc(DatePart part, string expression) =>
        $"DATE_TRUNC(DATE({expression}), {Unit(part)})";

    public string DateDiff(DatePart part, string start, string end) =>
        $"DATE_DIFF(DATE({end}), DATE({start}), {Unit(part)})";

    public string DateAdd(DatePart part, string count, string date) =>
        $"DATE_ADD(DATE({date}), INTERVAL ({count}) {(part == DatePart.Week ? "WEEK" : Unit(part))})";

    public string SafeDivide(string numerator, string denominator) => $"SAFE_DIVIDE({numerator}, {denominator})";

    public string Cast(string expression, string type) => $"CAST({expression} AS {TypeName(type)})";

    public string UtcDate(string timestamp) => $"DATE({timestamp}, 'UTC')";

    public string CountIf(string condition) => $"COUNTIF({condition})";

    public string AggregateIf(string function, string expression, string condition) => function == "count_distinct"
        ? $"COUNT(DISTINCT IF({condition}, {expression}, NULL))"
        : $"{function.ToUpperInvariant()}(IF({condition}, {expression}, NULL))";

    public string JoinSeries(string column, string from, string to) =>
        $"CROSS JOIN UNNEST(GENERATE_ARRAY({from}, {to})) AS {column}";

    public string DistinctOn(string keys) => "";

    public string KeepFirst(string keys, string order) =>
        $"QUALIFY ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY {order}) = 1";

    public string PresortedBy(string columns) => "";

    /// <summary>The GoogleSQL type for a PostgreSQL type name used in an asset.</summary>
    public string TimestampLiteral(DateTimeOffset at) =>
        $"TIMESTAMP '{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)}+00'";

    public string VersionId(IReadOnlyList<string> keys, string timestamp) =>
        $"TO_HEX(MD5(CONCAT({string.Join(", '|', ", keys.Select(k => $"CAST({k} AS STRING)"))}, '|', CAST(UNIX_MICROS({timestamp}) AS STRING))))";

    public static string TypeName(string postgresType) => postgresType.Trim().ToLowerInvariant() switch
    {
        "numeric" or "decimal" => "NUMERIC",
        "bigint" or "int" or "integer" or "int8" or "int4" or "smallint" => "INT64",
        "double precision" or "float8" or "real" or "float" => "FLOAT64",
        "text" or "varchar" => "STRING",
        "date" => "DATE",
        "boolean" or "bool" => "BOOL",
        "timestamptz" or "timestamp with time zone" => "TIMESTAMP",
        "timestamp" => "DATETIME",
        var other => throw new TemplateException($"cast(): no BigQuery type for '{other}'; use numeric, bigint, double precision, text, date, boolean or timestamptz."),
    };

    private static string Unit(DatePart part) => part switch
    {
        DatePart.Day => "DAY",
        DatePart.Week => "ISOWEEK",
        _ => "MONTH",
    };
}
