using System.CommandLine;
using Analytics.Core.Graph;
using Analytics.Core.Selection;

namespace Analytics.Cli.Commands;

/// <summary>The SELECTION argument the verbs share: zero or more words read as one selection, <c>*</c> when none.</summary>
public static class SelectionArgument
{
    public static Argument<string[]> Create(string verb) =>
        new("SELECTION") { Arity = ArgumentArity.ZeroOrMore, Description = $"assets to {verb} (default '*')" };

    public static string Text(ParseResult parse, Argument<string[]> argument) =>
        string.Join(' ', parse.GetValue(argument) ?? []) is { } text && !string.IsNullOrWhiteSpace(text) ? text : "*";

    /// <summary>The selected assets in dependency order; a selection of none is bad input, saying which term matched nothing.</summary>
    public static IReadOnlyList<string> Resolve(ParseResult parse, Argument<string[]> argument, AssetGraph graph) =>
        Resolve(Text(parse, argument), graph);

    /// <summary><paramref name="text"/>'s assets in dependency order, none being bad input as above.</summary>
    public static IReadOnlyList<string> Resolve(string text, AssetGraph graph)
    {
        var selection = SelectionParser.Parse(text);
        var keys = selection.ResolveOrdered(graph);
        return keys.Count > 0 || !graph.Keys.Any() ? keys : throw new ArgumentException(EmptySelection.Explain(text, selection, graph));
    }
}
