using System.Text;

namespace Analytics.Core.Templating;

/// <summary>
/// The dbt subset our assets use: <c>{{ ref('x') }}</c>, <c>{{ this }}</c>, dialect macros and
/// <c>{% if is_incremental() %}</c> blocks. Deliberately not a general template engine.
/// </summary>
public sealed partial class SqlTemplate
{
    /// <summary>Each function with its number of arguments.</summary>
    private static readonly Dictionary<string, int> Functions = new()
    {
        ["ref"] = 1,
        ["this"] = 0,
        ["is_incremental"] = 0,
        ["is_backfill"] = 0,
        ["changed"] = 1,
        ["affected"] = 0,
        ["affected_days"] = 0,
        ["affected_start"] = 0,
        ["previous_load"] = 0,
        // Cross-database macros: each renders through the target's ISqlDialect.
        ["date_trunc"] = 2,
        ["date_diff"] = 3,
        ["date_add"] = 3,
        ["safe_divide"] = 2,
        ["cast"] = 2,
        ["utc_date"] = 1,
        ["count_if"] = 1,
        ["sum_if"] = 2,
        ["min_if"] = 2,
        ["max_if"] = 2,
        ["count_distinct_if"] = 2,
        ["join_series"] = 3,
        ["distinct_on"] = 1,
        ["keep_first"] = 2,
        ["presorted_by"] = 1,
        // Point-in-time: the condition that a snapshot's version (by its alias) was the valid one at a time.
        ["valid_at"] = 2,
    };

    /// <summary>The type names cast() accepts (PostgreSQL spelling; each dialect maps them).</summary>
    internal static readonly HashSet<string> CastTypes =
        ["numeric", "bigint", "integer", "double precision", "text", "date", "boolean", "timestamptz"];

    private SqlTemplate(string path, IReadOnlyList<TemplateNode> nodes)
    {
        Path = path;
        Nodes = nodes;
    }

    public string Path { get; }

    public IReadOnlyList<TemplateNode> Nodes { get; }

    /// <summary>Every <c>ref('x')</c> (and <c>changed('x')</c>, which reads x too) in the template with the line it stands on.</summary>
    public IEnumerable<(string Name, int Line)> References() => Walk(Nodes)
        .OfType<ExpressionNode>()
        .Where(e => e.Function is "ref" or "changed")
        .Select(e => (e.Arguments[0], e.Line));

    /// <summary>Whether the template calls <paramref name="function"/> (<c>this</c>, <c>affected_days</c>, ...) anywhere, in either branch of an if.</summary>
    public bool Uses(string function) => Walk(Nodes).OfType<ExpressionNode>().Any(e => e.Function == function);

    public string Render(RenderContext context)
    {
        var sql = new StringBuilder();
        Render(Nodes, context, sql);
        return sql.ToString();
    }

    private void Render(IReadOnlyList<TemplateNode> nodes, RenderContext context, StringBuilder sql)
    {
        foreach (var node in nodes)
        {
            switch (node)
            {
                case TextNode text:
                    sql.Append(text.Text);
                    break;
                case IfIncrementalNode block:
                    Render(context.IsIncremental != block.Negated ? block.Then : block.Else, context, sql);
                    break;
                case ExpressionNode expression:
                    sql.Append(RenderExpression(expression, context));
                    break;
            }
        }
    }

    private string RenderExpression(ExpressionNode e, RenderContext context)
    {
        var dialect = context.Dialect;
        var args = e.Arguments;
        return e.Function switch
        {
            "ref" => context.ResolveRef(args[0])
                     ?? throw new TemplateException($"{Path}:{e.Line}: ref('{args[0]}') names no asset."),
            "this" => context.This,
            "is_incremental" => context.IsIncremental ? "true" : "false",
            "is_backfill" => context.IsBackfill ? "true" : "false",
            "changed" => context.ResolveChanged(args[0])
                         ?? throw new TemplateException($"{Path}:{e.Line}: changed('{args[0]}') names no source with a load_id."),
            "affected" => context.Affected
                          ?? throw new TemplateException(
                              $"{Path}:{e.Line}: affected() is defined only in an incremental build; use it inside {{% if is_incremental() %}}."),
            "affected_days" => context.AffectedDays
                               ?? throw new TemplateException(
                                   $"{Path}:{e.Line}: affected_days() is defined only in an incremental build by date; use it inside {{% if is_incremental() %}}."),
            "affected_start" => context.AffectedStart
                                ?? throw new TemplateException(
                                    $"{Path}:{e.Line}: affected_start() is defined only in an incremental build (by date, or by key over a source with a time column); use it inside {{% if is_incremental() %}}."),
            "previous_load" => context.PreviousLoad
                               ?? throw new TemplateException(
                                   $"{Path}:{e.Line}: previous_load() is defined only in an incremental build or its affected: query."),
            "date_trunc" => dialect.DateTrunc(ParsePart(args[0], e), args[1]),
            "date_diff" => dialect.DateDiff(ParsePart(args[0], e), args[1], args[2]),
            "date_add" => dialect.DateAdd(ParsePart(args[0], e), args[1], args[2]),
            "safe_divide" => dialect.SafeDivide(args[0], args[1]),
            "cast" => dialect.Cast(args[0], args[1]),
            "utc_date" => dialect.UtcDate(args[0]),
            "count_if" => dialect.CountIf(args[0]),
            "sum_if" => dialect.AggregateIf("sum", args[0], args[1]),
            "min_if" => dialect.AggregateIf("min", args[0], args[1]),
            "max_if" => dialect.AggregateIf("max", args[0], args[1]),
            "count_distinct_if" => dialect.AggregateIf("count_distinct", args[0], args[1]),
            "join_series" => dialect.JoinSeries(args[0], args[1], args[2]),
            "distinct_on" => dialect.DistinctOn(args[0]),
            "keep_first" => dialect.KeepFirst(args[0], args[1]),
            "presorted_by" => dialect.PresortedBy(args[0]),
            "valid_at" => ValidAt(args[0].Trim(), args[1].Trim()),
            _ => throw new TemplateException($"{Path}:{e.Line}: unknown function '{e.Function}'."),
        };
    }

    /// <summary>
    /// <c>valid_at(alias, time)</c>: the version of a snapshot joined as <c>alias</c> was true at <c>time</c>, and is no
    /// delete. Its interval is half open, so at the instant of a change the new version holds, never both.
    /// </summary>
    private static string ValidAt(string alias, string time) =>
        $"({alias}.{Assets.SnapshotSpec.ValidFrom} <= {time} and ({alias}.{Assets.SnapshotSpec.ValidTo} is null or {time} < {alias}.{Assets.SnapshotSpec.ValidTo}) "
        + $"and not {alias}.{Assets.SnapshotSpec.IsDeleted})";

    private DatePart ParsePart(string literal, ExpressionNode e) => Unquote(literal)?.ToLowerInvariant() switch
    {
        "day" => DatePart.Day,
        "week" => DatePart.Week,
        "month" => DatePart.Month,
        _ => throw new TemplateException(
            $"{Path}:{e.Line}: {e.Function} takes 'day', 'week' or 'month' as its first argument, not {literal}."),
    };

    private static IEnumerable<TemplateNode> Walk(IEnumerable<TemplateNode> nodes)
    {
        foreach (var node in nodes)
        {
            yield return node;
            if (node is IfIncrementalNode block)
            {
                foreach (var inner in Walk(block.Then).Concat(Walk(block.Else)))
                {
                    yield return inner;
                }
            }
        }
    }

    internal static string? Unquote(string text)
    {
        var t = text.Trim();
        return t.Length >= 2 && (t[0] == '\'' || t[0] == '"') && t[^1] == t[0] ? t[1..^1] : null;
    }
}
