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

    /// <summary>The selected assets in dependency order.</summary>
    public static IReadOnlyList<string> Resolve(ParseResult parse, Argument<string[]> argument, AssetGraph graph) =>
        SelectionParser.Parse(Text(parse, argument)).ResolveOrdered(graph);
}
