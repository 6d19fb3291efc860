namespace Analytics.Core.Selection;

/// <summary>A selection that does not parse or names no asset; the message points at the bad token.</summary>
public sealed class SelectionException(string text, int position, string problem)
    : Exception($"{problem}\n  {text}\n  {new string(' ', Math.Max(0, position))}^")
{
    public string Text { get; } = text;

    public int Position { get; } = position;

    public string Problem { get; } = problem;
}
