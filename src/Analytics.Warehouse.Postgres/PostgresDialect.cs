using Analytics.Core.Templating;

namespace Analytics.Warehouse.Postgres;

public sealed class PostgresDialect : ISqlDialect
{
    public static readonly PostgresDialect Instance = new();

    public string Name => "postgres";

    public string Relation(string schema, string name) => $"{Quote(schema)}.{Quote(name)}";

    public string DateTrunc(DatePart part, string expression) => part switch
    {
        DatePart.Day => $"(({expression})::date)",
        DatePart.Week => $"(date_trunc('week', ({expression})::timestamp)::date)",
        _ => $"(date_trunc('month', ({expression})::timestamp)::date)",
    };

    public string DateDiff(DatePart part, string start, string end) => part switch
    {
        DatePart.Day => $"((({end})::date - ({start})::date))",
        // Both sides are truncated first so partial weeks count as whole ones, as BigQuery's ISOWEEK does.
        DatePart.Week => $"(({DateTrunc(DatePart.Week, end)} - {DateTrunc(DatePart.Week, start)}) / 7)",
        _ => $"(((extract(year from ({end})::date) - extract(year from ({start})::date)) * 12"
             + $" + extract(month from ({end})::date) - extract(month from ({start})::date))::int)",
    };

    public string DateAdd(DatePart part, string count, string date) => part switch
    {
        DatePart.Day => $"(({date})::date + ({count}))",
        DatePart.Week => $"(({date})::date + 7 * ({count}))",
        _ => $"((({date})::date + make_interval(months => ({count})))::date)",
    };

    public string SafeDivide(string numerator, string denominator) =>
        $"(({numerator})::numeric / nullif(({denominator}), 0))";

    public string Cast(string expression, string type) => $"({expression})::{type}";

    public string UtcDate(string timestamp) => $"(({timestamp}) at time zone 'UTC')::date";

    public string CountIf(string condition) => $"count(*) filter (where {condition})";

    public string AggregateIf(string function, string expression, string condition) => function == "count_distinct"
        ? $"count(distinct {expression}) filter (where {condition})"
        : $"{function}({expression}) filter (where {condition})";

    public string JoinSeries(string column, string from, string to) =>
        $"cross join lateral generate_series({from}, {to}) as {column}_series({column})";

    public string DistinctOn(string keys) => $"distinct on ({keys})";

    public string KeepFirst(string keys, string order) => $"order by {keys}, {order}";

    public string PresortedBy(string columns) => $"order by {columns}";

    public string TimestampLiteral(DateTimeOffset at) =>
        $"timestamptz '{at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)}+00'";

    // Microseconds since the epoch, not the timestamp's text, which follows the session's time zone.
    public string VersionId(IReadOnlyList<string> keys, string timestamp) =>
        $"md5(concat_ws('|', {string.Join(", ", keys.Select(k => $"({k})::text"))}, (extract(epoch from {timestamp}) * 1000000)::bigint::text))";

    /// <summary>An identifier quoted for PostgreSQL (embedded quotes doubled).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
