using Analytics.Core.Assets;

namespace Analytics.Core.Graph;

/// <summary>
/// The immutable dependency graph of the declared assets. Nodes are numbered in alphabetical order and edges
/// kept as index arrays, so planning over tens of thousands of assets takes milliseconds. The topological order
/// is computed once and is stable: level by level, alphabetical within a level.
/// </summary>
public sealed class AssetGraph
{
    private readonly string[] _keys;
    private readonly AssetDefinition[] _assets;
    private readonly Dictionary<string, int> _index;
    private readonly int[][] _upstream;
    private readonly int[][] _downstream;
    private readonly int[] _position;
    private readonly int[] _levels;

    public AssetGraph(IEnumerable<AssetDefinition> assets)
    {
        _assets = assets.OrderBy(a => a.Key.Name, StringComparer.Ordinal).ToArray();
        _keys = _assets.Select(a => a.Key.Name).ToArray();
        _index = new Dictionary<string, int>(_keys.Length, StringComparer.Ordinal);
        for (var i = 0; i < _keys.Length; i++)
        {
            _index[_keys[i]] = i;
        }

        _upstream = _assets
            .Select(a => a.Dependencies.Select(d => _index.GetValueOrDefault(d.Name, -1)).Where(i => i >= 0).Distinct().Order().ToArray())
            .ToArray();
        var downstreamCounts = new int[_keys.Length];
        foreach (var ups in _upstream)
        {
            foreach (var up in ups)
            {
                downstreamCounts[up]++;
            }
        }

        _downstream = downstreamCounts.Select(n => new int[n]).ToArray();
        var filled = new int[_keys.Length];
        for (var node = 0; node < _upstream.Length; node++)
        {
            foreach (var up in _upstream[node])
            {
                // Nodes are visited in index order, so each downstream list comes out sorted.
                _downstream[up][filled[up]++] = node;
            }
        }

        (_position, _levels, TopologicalOrder) = Sort();
        Levels = _keys.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => _levels[x.i], StringComparer.Ordinal);
    }

    /// <summary>Every asset key, upstream before downstream.</summary>
    public IReadOnlyList<string> TopologicalOrder { get; }

    /// <summary>The longest path from a root to each asset (roots are level 0).</summary>
    public IReadOnlyDictionary<string, int> Levels { get; }

    public IEnumerable<string> Keys => TopologicalOrder;

    public int Count => _keys.Length;

    public bool Contains(string key) => _index.ContainsKey(key);

    public AssetDefinition this[string key] => _assets[_index[key]];

    public IReadOnlyList<string> UpstreamOf(string key) => Names(_upstream[_index[key]]);

    public IReadOnlyList<string> DownstreamOf(string key) => Names(_downstream[_index[key]]);

    /// <summary>All assets reachable upstream (or downstream) of <paramref name="start"/>, within <paramref name="depth"/> hops when given.</summary>
    public IReadOnlySet<string> Reachable(IEnumerable<string> start, bool upstream, int? depth = null)
    {
        var edges = upstream ? _upstream : _downstream;
        var seen = new bool[_keys.Length];
        var result = new HashSet<string>(StringComparer.Ordinal);
        var frontier = start.Select(k => _index[k]).ToList();
        for (var hop = 0; frontier.Count > 0 && (depth is null || hop < depth); hop++)
        {
            var next = new List<int>();
            foreach (var node in frontier)
            {
                foreach (var neighbour in edges[node])
                {
                    if (!seen[neighbour])
                    {
                        seen[neighbour] = true;
                        result.Add(_keys[neighbour]);
                        next.Add(neighbour);
                    }
                }
            }

            frontier = next;
        }

        return result;
    }

    /// <summary>The given keys in topological order.</summary>
    public IReadOnlyList<string> Order(IEnumerable<string> keys) => keys.OrderBy(k => _position[_index[k]]).ToList();

    private string[] Names(int[] nodes) => Array.ConvertAll(nodes, n => _keys[n]);

    private (int[] Position, int[] Levels, string[] Order) Sort()
    {
        var remaining = _upstream.Select(u => u.Length).ToArray();
        var levels = new int[_keys.Length];
        var position = new int[_keys.Length];
        var order = new List<string>(_keys.Length);
        var level = Enumerable.Range(0, _keys.Length).Where(i => remaining[i] == 0).ToList();
        for (var depth = 0; level.Count > 0; depth++)
        {
            var next = new List<int>();
            foreach (var node in level)
            {
                levels[node] = depth;
                position[node] = order.Count;
                order.Add(_keys[node]);
                foreach (var down in _downstream[node])
                {
                    if (--remaining[down] == 0)
                    {
                        next.Add(down);
                    }
                }
            }

            // Index order is alphabetical order.
            next.Sort();
            level = next;
        }

        if (order.Count != _keys.Length)
        {
            throw new GraphCycleException(FindCycle(remaining));
        }

        return (position, levels, order.ToArray());
    }

    private List<string> FindCycle(int[] remaining)
    {
        // Every stuck node has a stuck upstream; walking upstream must revisit a node, and that loop is the cycle.
        var path = new List<int>();
        var seenAt = new Dictionary<int, int>();
        var current = Array.FindIndex(remaining, r => r > 0);
        while (!seenAt.ContainsKey(current))
        {
            seenAt[current] = path.Count;
            path.Add(current);
            current = _upstream[current].First(u => remaining[u] > 0);
        }

        var cycle = path[seenAt[current]..].Select(n => _keys[n]).ToList();
        cycle.Reverse();
        cycle.Add(cycle[0]);
        return cycle;
    }
}
