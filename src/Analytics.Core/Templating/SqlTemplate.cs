using System.Text;

namespace Analytics.Core.Templating;

/// <summary>
/// The dbt subset our assets use: <c>{{ ref('x') }}</c>, <c>{{ this }}</c>, dialect macros and
/// <c>{% if is_incremental() %}</c> blocks. Deliberately not a general template engine.
/// </summary>
public sealed partial class SqlTemplate
{
    private static readonly HashSet<string> Functions =
        ["ref", "this", "is_incremental", "date_trunc", "date_diff", "safe_divide"];

    private SqlTemplate(string path, IReadOnlyList<TemplateNode> nodes)
    {
        Path = path;
        Nodes = nodes;
    }

    public string Path { get; }

    public IReadOnlyList<TemplateNode> Nodes { get; }

    /// <summary>Every <c>ref('x')</c> in the template with the line it stands on.</summary>
    public IEnumerable<(string Name, int Line)> References() => Walk(Nodes)
        .OfType<ExpressionNode>()
        .Where(e => e.Function == "ref")
        .Select(e => (e.Arguments[0], e.Line));

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
            "date_trunc" => dialect.DateTrunc(ParsePart(args[0], e), args[1]),
            "date_diff" => dialect.DateDiff(ParsePart(args[0], e), args[1], args[2]),
            "safe_divide" => dialect.SafeDivide(args[0], args[1]),
            _ => throw new TemplateException($"{Path}:{e.Line}: unknown function '{e.Function}'."),
        };
    }

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
