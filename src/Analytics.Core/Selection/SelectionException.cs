namespace Analytics.Core.Selection;

/// <summary>
/// A selection that does not parse or names no asset; the message points at the bad token, showing at most
/// <see cref="Context"/> characters either side of it, so a huge selection never makes a huge message.
/// </summary>
public sealed class SelectionException(string text, int position, string problem)
    : Exception($"{problem}\n  {Excerpt(text, position, out var caret)}\n  {new string(' ', caret)}^")
{
    public const int Context = 60;

    public string Text { get; } = text;

    public int Position { get; } = position;

    public string Problem { get; } = problem;

    private static string Excerpt(string text, int position, out int caret)
    {
        position = Math.Clamp(position, 0, text.Length);
        var start = Math.Max(0, position - Context);
        var end = Math.Min(text.Length, position + Context);
        var prefix = start > 0 ? "..." : "";
        caret = prefix.Length + position - start;
        return prefix + text[start..end] + (end < text.Length ? "..." : "");
    }
}
