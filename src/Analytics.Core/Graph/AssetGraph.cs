using Analytics.Core.Assets;
using QuikGraph;
using QuikGraph.Algorithms;
using QuikGraph.Algorithms.Search;

namespace Analytics.Core.Graph;

/// <summary>
/// The immutable dependency graph of the declared assets: a QuikGraph bidirectional graph whose edges run from an
/// asset to the assets that ref() it. QuikGraph sorts it and finds its cycles, roots and sinks; the order shown
/// to people is stable: level by level, alphabetical within a level, whatever order the files are declared in.
/// </summary>
public sealed class AssetGraph
{
    private readonly BidirectionalGraph<string, SEquatableEdge<string>> _graph;
    private readonly Dictionary<string, AssetDefinition> _assets;
    private readonly Dictionary<string, int> _position;

    /// <exception cref="AssetDeclarationException">An asset depends on a key that is not declared.</exception>
    /// <exception cref="GraphCycleException">The dependencies loop.</exception>
    public AssetGraph(IEnumerable<AssetDefinition> assets)
    {
        var declared = assets.OrderBy(a => a.Key.Name, StringComparer.Ordinal).ToList();
        _assets = new Dictionary<string, AssetDefinition>(declared.Count, StringComparer.Ordinal);
        _graph = new BidirectionalGraph<string, SEquatableEdge<string>>(allowParallelEdges: false, declared.Count);
        foreach (var asset in declared)
        {
            _assets.Add(asset.Key.Name, asset);
            _graph.AddVertex(asset.Key.Name);
        }

        foreach (var asset in declared)
        {
            foreach (var dependency in asset.Dependencies.Select(d => d.Name).Distinct(StringComparer.Ordinal))
            {
                if (!_assets.ContainsKey(dependency))
                {
                    // A vertex is never created for a name nobody declared: that would hide a typo behind an empty table.
                    throw new AssetDeclarationException(
                        $"{asset.SourcePath}: ref('{dependency}') names no asset.{NameSuggestions.DidYouMean(dependency, _assets.Keys)}");
                }

                _graph.AddEdge(new SEquatableEdge<string>(dependency, asset.Key.Name));
            }
        }

        var (order, levels) = Sort();
        TopologicalOrder = order;
        Levels = levels;
        _position = new Dictionary<string, int>(order.Length, StringComparer.Ordinal);
        for (var i = 0; i < order.Length; i++)
        {
            _position[order[i]] = i;
        }
    }

    /// <summary>Every asset key, upstream before downstream.</summary>
    public IReadOnlyList<string> TopologicalOrder { get; }

    /// <summary>The longest path from a root to each asset (roots are level 0).</summary>
    public IReadOnlyDictionary<string, int> Levels { get; }

    public IEnumerable<string> Keys => TopologicalOrder;

    public int Count => _assets.Count;

    /// <summary>Assets that depend on nothing (sources, usually), alphabetical.</summary>
    public IReadOnlyList<string> Roots => _graph.Roots().Order(StringComparer.Ordinal).ToList();

    /// <summary>Assets nothing depends on (marts, usually), alphabetical.</summary>
    public IReadOnlyList<string> Sinks => _graph.Sinks().Order(StringComparer.Ordinal).ToList();

    public bool Contains(string key) => _assets.ContainsKey(key);

    public AssetDefinition this[string key] => _assets[key];

    public IReadOnlyList<string> UpstreamOf(string key) => _graph.InEdges(key).Select(e => e.Source).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> DownstreamOf(string key) => _graph.OutEdges(key).Select(e => e.Target).Order(StringComparer.Ordinal).ToList();

    /// <summary>All assets reachable upstream (or downstream) of <paramref name="start"/>, within <paramref name="depth"/> hops when given.</summary>
    public IReadOnlySet<string> Reachable(IEnumerable<string> start, bool upstream, int? depth = null)
    {
        // A breadth-first walk by hand: QuikGraph's searches have no hop limit, and `2+x` needs one.
        var result = new HashSet<string>(StringComparer.Ordinal);
        var frontier = start.ToList();
        for (var hop = 0; frontier.Count > 0 && (depth is null || hop < depth); hop++)
        {
            var next = new List<string>();
            foreach (var node in frontier)
            {
                var neighbours = upstream ? _graph.InEdges(node).Select(e => e.Source) : _graph.OutEdges(node).Select(e => e.Target);
                foreach (var neighbour in neighbours)
                {
                    if (result.Add(neighbour))
                    {
                        next.Add(neighbour);
                    }
                }
            }

            frontier = next;
        }

        return result;
    }

    /// <summary>The given keys in topological order.</summary>
    public IReadOnlyList<string> Order(IEnumerable<string> keys) => keys.OrderBy(k => _position[k]).ToList();

    private (string[] Order, Dictionary<string, int> Levels) Sort()
    {
        IEnumerable<string> sorted;
        try
        {
            sorted = _graph.TopologicalSort();
        }
        catch (NonAcyclicGraphException)
        {
            throw new GraphCycleException(FindCycle());
        }

        // Each asset sits one level below its deepest upstream; then level, name is the order people see.
        var levels = new Dictionary<string, int>(_assets.Count, StringComparer.Ordinal);
        foreach (var key in sorted)
        {
            var level = 0;
            foreach (var edge in _graph.InEdges(key))
            {
                level = Math.Max(level, levels[edge.Source] + 1);
            }

            levels[key] = level;
        }

        var order = levels.OrderBy(l => l.Value).ThenBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key).ToArray();
        return (order, levels);
    }

    /// <summary>The first loop a depth-first search meets, as a path that starts and ends on the same asset.</summary>
    private List<string> FindCycle()
    {
        var search = new DepthFirstSearchAlgorithm<string, SEquatableEdge<string>>(_graph);
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        List<string>? cycle = null;
        search.TreeEdge += edge => parent[edge.Target] = edge.Source;
        search.BackEdge += edge =>
        {
            if (cycle is not null)
            {
                return;
            }

            // A back edge closes a loop: walk the search tree from its source up to its target.
            var path = new List<string> { edge.Source };
            for (var node = edge.Source; node != edge.Target; node = parent[node])
            {
                path.Add(parent[node]);
            }

            path.Reverse();
            path.Add(edge.Target);
            cycle = path;
        };
        search.Compute();
        return cycle ?? throw new InvalidOperationException("QuikGraph reported a cycle that a depth-first search did not find.");
    }
}
