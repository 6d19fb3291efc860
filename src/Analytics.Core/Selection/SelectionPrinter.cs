namespace Analytics.Core.Selection;

/// <summary>
/// Writes a selection back as text that parses to the same expression, with parentheses only where precedence
/// needs them (union loosest, then <c>and</c>, then <c>not</c>), so a long union stays flat.
/// </summary>
public static class SelectionPrinter
{
    private enum Level
    {
        Union,
        And,
        Not,
    }

    public static string Print(SelectionExpression expression) => Print(expression, Level.Union);

    private static string Print(SelectionExpression expression, Level context) => expression switch
    {
        AllSelection => "*",
        NameSelection name => name.Name,
        MethodSelection method => $"{method.Method}:{method.Value}",
        GraphSelection graph => (graph.At ? "@" : "")
                                + (graph.Upstream ? $"{graph.UpDepth}+" : "")
                                + Print(graph.Inner, Level.Not)
                                + (graph.Downstream ? $"+{graph.DownDepth}" : ""),
        // The parser groups left to right: a union on the right, or an and on the right of an and, needs parentheses.
        OrSelection or => Group($"{Print(or.Left, Level.Union)} or {Print(or.Right, Level.And)}", Level.Union, context),
        AndSelection and => Group($"{Print(and.Left, Level.And)} and {Print(and.Right, Level.Not)}", Level.And, context),
        NotSelection not => $"not {Print(not.Inner, Level.Not)}",
        _ => throw new ArgumentOutOfRangeException(nameof(expression), expression.GetType().Name, "a selection the printer does not know"),
    };

    private static string Group(string text, Level own, Level context) => own < context ? $"({text})" : text;
}
