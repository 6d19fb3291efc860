using Analytics.Core.Graph;

namespace Analytics.Core.Selection;

/// <summary>
/// Why a selection picked no asset, as the CLI and the API say it: each <c>tag:</c>, <c>layer:</c> or <c>key:</c>
/// term that matches nothing, with the closest known values and the full list, as unknown names are told.
/// </summary>
public static class EmptySelection
{
    public static string Explain(string text, SelectionExpression selection, AssetGraph graph)
    {
        var unmatched = Terms(selection).Where(term => term.Resolve(graph).Count == 0).Distinct().ToList();
        if (unmatched.Count == 0)
        {
            return $"'{Clip(text)}' selects no asset: its terms each match some, but not together. "
                   + "'analytics graph SELECTION' or GET /api/graph?select=... shows what each part picks.";
        }

        // Five terms of at most 40 characters each: no message repeats more than 200 characters of the user's text.
        return "The selection selects no asset: " + string.Join(" ", unmatched.Take(5).Select(term => Describe(term, graph)));
    }

    private static string Clip(string text, int max = 200) => text.Length <= max ? text : text[..max] + "...";

    private static string Describe(MethodSelection term, AssetGraph graph)
    {
        var known = term.Method switch
        {
            "tag" => graph.Keys.SelectMany(k => graph[k].Tags),
            "layer" => graph.Keys.Select(k => graph[k].Layer),
            _ => graph.Keys,
        };
        var values = known.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var what = term.Method switch { "tag" => "tag", "layer" => "layer", _ => "key pattern" };
        var list = term.Method == "key" ? "" : $" The {what}s are: {string.Join(", ", values)}.";
        return $"no asset has the {what} '{Clip(term.Value, 40)}'.{NameSuggestions.DidYouMean(term.Value, values)}{list}";
    }

    private static IEnumerable<MethodSelection> Terms(SelectionExpression selection) => selection switch
    {
        MethodSelection method => [method],
        GraphSelection graph => Terms(graph.Inner),
        AndSelection and => Terms(and.Left).Concat(Terms(and.Right)),
        OrSelection or => Terms(or.Left).Concat(Terms(or.Right)),
        NotSelection not => Terms(not.Inner),
        _ => [],
    };
}
