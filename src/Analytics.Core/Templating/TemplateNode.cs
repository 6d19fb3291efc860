namespace Analytics.Core.Templating;

/// <summary>A piece of a parsed SQL template.</summary>
public abstract record TemplateNode(int Line);

/// <summary>Literal SQL copied to the output.</summary>
public sealed record TextNode(string Text, int Line) : TemplateNode(Line);

/// <summary>A <c>{{ ... }}</c> expression: <c>ref('x')</c>, <c>this</c>, <c>is_incremental()</c> or a dialect macro.</summary>
public sealed record ExpressionNode(string Function, IReadOnlyList<string> Arguments, int Line) : TemplateNode(Line);

/// <summary><c>{% if [not] is_incremental() %} ... {% else %} ... {% endif %}</c>.</summary>
public sealed record IfIncrementalNode(bool Negated, IReadOnlyList<TemplateNode> Then, IReadOnlyList<TemplateNode> Else, int Line)
    : TemplateNode(Line);
