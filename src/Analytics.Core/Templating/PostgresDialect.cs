namespace Analytics.Core.Templating;

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

    public string SafeDivide(string numerator, string denominator) =>
        $"(({numerator})::numeric / nullif(({denominator}), 0))";

    /// <summary>An identifier quoted for PostgreSQL (embedded quotes doubled).</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
}
