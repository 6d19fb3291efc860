using System.Collections.Frozen;
using Analytics.Core.Assets;

namespace Analytics.Core.Graph;

/// <summary>
/// The immutable dependency graph of the declared assets. The topological order is computed once and is
/// stable: level by level, alphabetical within a level.
/// </summary>
public sealed class AssetGraph
{
    private readonly FrozenDictionary<string, AssetDefinition> _assets;
    private readonly FrozenDictionary<string, string[]> _upstream;
    private readonly FrozenDictionary<string, string[]> _downstream;
    private readonly FrozenDictionary<string, int> _position;

    public AssetGraph(IEnumerable<AssetDefinition> assets)
    {
        _assets = assets.ToFrozenDictionary(a => a.Key.Name, StringComparer.Ordinal);
        _upstream = _assets.ToFrozenDictionary(
            kv => kv.Key,
            kv => kv.Value.Dependencies.Select(d => d.Name).Where(_assets.ContainsKey).Distinct().Order(StringComparer.Ordinal).ToArray(),
            StringComparer.Ordinal);
        var downstream = _assets.Keys.ToDictionary(k => k, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var (key, ups) in _upstream)
        {
            foreach (var up in ups)
            {
                downstream[up].Add(key);
            }
        }

        _downstream = downstream.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Order(StringComparer.Ordinal).ToArray(), StringComparer.Ordinal);
        (TopologicalOrder, Levels) = Sort();
        _position = TopologicalOrder.Select((k, i) => (k, i)).ToFrozenDictionary(x => x.k, x => x.i, StringComparer.Ordinal);
    }

    /// <summary>Every asset key, upstream before downstream.</summary>
    public IReadOnlyList<string> TopologicalOrder { get; }

    /// <summary>The longest path from a root to each asset (roots are level 0).</summary>
    public IReadOnlyDictionary<string, int> Levels { get; }

    public IEnumerable<string> Keys => TopologicalOrder;

    public int Count => _assets.Count;

    public bool Contains(string key) => _assets.ContainsKey(key);

    public AssetDefinition this[string key] => _assets[key];

    public IReadOnlyList<string> UpstreamOf(string key) => _upstream[key];

    public IReadOnlyList<string> DownstreamOf(string key) => _downstream[key];

    /// <summary>All assets reachable upstream (or downstream) of <paramref name="start"/>, within <paramref name="depth"/> hops when given.</summary>
    public IReadOnlySet<string> Reachable(IEnumerable<string> start, bool upstream, int? depth = null)
    {
        var edges = upstream ? _upstream : _downstream;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var frontier = start.ToList();
        for (var hop = 0; frontier.Count > 0 && (depth is null || hop < depth); hop++)
        {
            frontier = frontier.SelectMany(k => edges[k]).Where(seen.Add).ToList();
        }

        return seen;
    }

    /// <summary>The given keys in topological order.</summary>
    public IReadOnlyList<string> Order(IEnumerable<string> keys) => keys.OrderBy(k => _position[k]).ToList();

    private (IReadOnlyList<string> Order, IReadOnlyDictionary<string, int> Levels) Sort()
    {
        var remaining = _upstream.ToDictionary(kv => kv.Key, kv => kv.Value.Length, StringComparer.Ordinal);
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>(_assets.Count);
        var level = remaining.Where(kv => kv.Value == 0).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        for (var depth = 0; level.Count > 0; depth++)
        {
            var next = new List<string>();
            foreach (var key in level)
            {
                levels[key] = depth;
                order.Add(key);
                foreach (var down in _downstream[key])
                {
                    if (--remaining[down] == 0)
                    {
                        next.Add(down);
                    }
                }
            }

            next.Sort(StringComparer.Ordinal);
            level = next;
        }

        if (order.Count != _assets.Count)
        {
            throw new GraphCycleException(FindCycle(remaining.Where(kv => kv.Value > 0).Select(kv => kv.Key).ToHashSet()));
        }

        return (order, levels);
    }

    private List<string> FindCycle(HashSet<string> stuck)
    {
        // Every stuck node has a stuck upstream; walking upstream must revisit a node, and that loop is the cycle.
        var path = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var current = stuck.Order(StringComparer.Ordinal).First();
        while (!index.ContainsKey(current))
        {
            index[current] = path.Count;
            path.Add(current);
            current = _upstream[current].First(stuck.Contains);
        }

        var cycle = path[index[current]..];
        cycle.Reverse();
        cycle.Add(cycle[0]);
        return cycle;
    }
}
