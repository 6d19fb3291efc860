namespace Analytics.Core.Templating;

/// <summary>GoogleSQL rendering; datasets carry the layer names (raw, staging, core, marts).</summary>
public sealed class BigQueryDialect(string? project = null) : ISqlDialect
{
    public string Name => "bigquery";

    public string Relation(string schema, string name) =>
        project is null ? $"`{schema}.{name}`" : $"`{project}.{schema}.{name}`";

    public string DateTrunc(DatePart part, string expression) =>
        $"DATE_TRUNC(DATE({expression}), {Unit(part)})";

    public string DateDiff(DatePart part, string start, string end) =>
        $"DATE_DIFF(DATE({end}), DATE({start}), {Unit(part)})";

    public string SafeDivide(string numerator, string denominator) => $"SAFE_DIVIDE({numerator}, {denominator})";

    private static string Unit(DatePart part) => part switch
    {
        DatePart.Day => "DAY",
        DatePart.Week => "ISOWEEK",
        _ => "MONTH",
    };
}
