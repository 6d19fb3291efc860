using Analytics.Core.Graph;

namespace Analytics.Core.Selection;

/// <summary>A parsed selection such as <c>+fct_events and tag:core</c>; <see cref="Resolve"/> gives the chosen asset keys.</summary>
public abstract record SelectionExpression
{
    public abstract IReadOnlySet<string> Resolve(AssetGraph graph);

    /// <summary>The selected keys in topological order.</summary>
    public IReadOnlyList<string> ResolveOrdered(AssetGraph graph) => graph.Order(Resolve(graph));

    protected static HashSet<string> Set(IEnumerable<string> keys) => new(keys, StringComparer.Ordinal);
}

/// <summary><c>*</c></summary>
public sealed record AllSelection : SelectionExpression
{
    public override IReadOnlySet<string> Resolve(AssetGraph graph) => Set(graph.Keys);
}

/// <summary>One asset by its key; an unknown key is an error suggesting the closest ones.</summary>
public sealed record NameSelection(string Name, string Text, int Position) : SelectionExpression
{
    public override IReadOnlySet<string> Resolve(AssetGraph graph) => graph.Contains(Name)
        ? Set([Name])
        : throw new SelectionException(Text, Position, $"No asset is called '{Name}'.{NameSuggestions.DidYouMean(Name, graph.Keys)}");
}

/// <summary><c>tag:x</c>, <c>layer:x</c> or <c>key:glob</c>.</summary>
public sealed record MethodSelection(string Method, string Value) : SelectionExpression
{
    public override IReadOnlySet<string> Resolve(AssetGraph graph) => Set(graph.Keys.Where(k => Method switch
    {
        "tag" => graph[k].Tags.Contains(Value, StringComparer.OrdinalIgnoreCase),
        "layer" => string.Equals(graph[k].Layer, Value, StringComparison.OrdinalIgnoreCase),
        _ => Glob.IsMatch(k, Value),
    }));
}

/// <summary>The graph operators: <c>+x</c>, <c>2+x</c>, <c>x+</c>, <c>x+1</c> and <c>@x</c>.</summary>
public sealed record GraphSelection(SelectionExpression Inner, bool Upstream, int? UpDepth, bool Downstream, int? DownDepth, bool At)
    : SelectionExpression
{
    public override IReadOnlySet<string> Resolve(AssetGraph graph)
    {
        var start = Inner.Resolve(graph);
        var result = Set(start);
        if (At)
        {
            var down = graph.Reachable(start, upstream: false);
            result.UnionWith(down);
            result.UnionWith(graph.Reachable(result.ToList(), upstream: true));
            return result;
        }

        if (Upstream)
        {
            result.UnionWith(graph.Reachable(start, upstream: true, UpDepth));
        }

        if (Downstream)
        {
            result.UnionWith(graph.Reachable(start, upstream: false, DownDepth));
        }

        return result;
    }
}

public sealed record AndSelection(SelectionExpression Left, SelectionExpression Right) : SelectionExpression
{
    public override IReadOnlySet<string> Resolve(AssetGraph graph)
    {
        var result = Set(Left.Resolve(graph));
        result.IntersectWith(Right.Resolve(graph));
        return result;
    }
}

public sealed record OrSelection(SelectionExpression Left, SelectionExpression Right) : SelectionExpression
{
    public override IReadOnlySet<string> Resolve(AssetGraph graph)
    {
        var result = Set(Left.Resolve(graph));
        result.UnionWith(Right.Resolve(graph));
        return result;
    }
}

public sealed record NotSelection(SelectionExpression Inner) : SelectionExpression
{
    public override IReadOnlySet<string> Resolve(AssetGraph graph)
    {
        var result = Set(graph.Keys);
        result.ExceptWith(Inner.Resolve(graph));
        return result;
    }
}
