using Analytics.Core.Templating;
using Analytics.Warehouse.Postgres;

namespace Analytics.Benchmarks;

/// <summary>
/// The asset SQL as DuckDB takes it, for the reference build of <c>$B duckdb</c> only (no warehouse of ours runs on
/// DuckDB). DuckDB reads PostgreSQL's SQL but for a few of the macros: a date plus a bigint (DuckDB's date
/// differences are bigints), <c>make_interval</c>, a lateral <c>generate_series</c> of column values, and
/// <c>numeric</c> without a precision, which DuckDB takes as DECIMAL(18,3) and would round ratios to three places.
/// </summary>
internal sealed class DuckDbReferenceDialect : ISqlDialect
{
    private static readonly PostgresDialect Postgres = PostgresDialect.Instance;

    public string Name => "duckdb";

    public string Relation(string schema, string name) => Postgres.Relation(schema, name);

    public string DateTrunc(DatePart part, string expression) => Postgres.DateTrunc(part, expression);

    public string DateDiff(DatePart part, string start, string end) => Postgres.DateDiff(part, start, end);

    public string DateAdd(DatePart part, string count, string date) => part switch
    {
        DatePart.Day => $"(({date})::date + cast(({count}) as integer))",
        DatePart.Week => $"(({date})::date + 7 * cast(({count}) as integer))",
        _ => $"((({date})::date + to_months(cast(({count}) as integer)))::date)",
    };

    public string SafeDivide(string numerator, string denominator) => $"(({numerator})::double / nullif(({denominator}), 0))";

    public string Cast(string expression, string type) => Postgres.Cast(expression, type == "numeric" ? "decimal(38, 9)" : type);

    public string UtcDate(string timestamp) => Postgres.UtcDate(timestamp);

    public string CountIf(string condition) => Postgres.CountIf(condition);

    public string AggregateIf(string function, string expression, string condition) => Postgres.AggregateIf(function, expression, condition);

    public string JoinSeries(string column, string from, string to) =>
        $"cross join lateral (select unnest(generate_series(cast(({from}) as bigint), cast(({to}) as bigint))) as {column}) as {column}_series";

    public string DistinctOn(string keys) => Postgres.DistinctOn(keys);

    public string KeepFirst(string keys, string order) => Postgres.KeepFirst(keys, order);

    public string PresortedBy(string columns) => Postgres.PresortedBy(columns);

    public string TimestampLiteral(DateTimeOffset at) => Postgres.TimestampLiteral(at);

    public string VersionId(IReadOnlyList<string> keys, string timestamp) => Postgres.VersionId(keys, timestamp);
}
