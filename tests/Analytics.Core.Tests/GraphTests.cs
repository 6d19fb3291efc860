using Analytics.Core.Assets;
using Analytics.Core.Graph;

namespace Analytics.Core.Tests;

public class GraphTests
{
    internal static AssetDefinition Asset(string key, params string[] deps) => Asset(key, "core", [], deps);

    internal static AssetDefinition Asset(string key, string layer, string[] tags, params string[] deps) =>
        new(new AssetKey(key), layer, Materialization.Table, "", tags, null, [], "select 1", $"{layer}/{key}.sql", 1,
            deps.Select(d => new AssetKey(d)).ToList());

    [Fact]
    public void Topological_order_is_by_level_then_alphabetical()
    {
        var graph = new AssetGraph([
            Asset("z_mart", "b_core", "a_core"),
            Asset("b_core", "raw"),
            Asset("a_core", "raw"),
            Asset("raw"),
            Asset("c_mart", "a_core"),
        ]);

        Assert.Equal(["raw", "a_core", "b_core", "c_mart", "z_mart"], graph.TopologicalOrder);
        Assert.Equal(2, graph.Levels["z_mart"]);
    }

    [Fact]
    public void Order_is_the_same_whatever_order_assets_are_declared_in()
    {
        var assets = new[] { Asset("d", "b", "c"), Asset("b", "a"), Asset("c", "a"), Asset("a"), Asset("e") };
        var forward = new AssetGraph(assets).TopologicalOrder;
        var backward = new AssetGraph(assets.Reverse()).TopologicalOrder;
        Assert.Equal(forward, backward);
        Assert.Equal(["a", "e", "b", "c", "d"], forward);
    }

    [Fact]
    public void A_cycle_is_an_error_that_prints_the_cycle_path()
    {
        var error = Assert.Throws<GraphCycleException>(() => new AssetGraph([
            Asset("root"), Asset("a", "root", "c"), Asset("b", "a"), Asset("c", "b"), Asset("leaf", "c"),
        ]));

        Assert.Equal(4, error.Cycle.Count);
        Assert.Equal(error.Cycle[0], error.Cycle[^1]);
        Assert.Equal(["a", "b", "c"], error.Cycle.Take(3).Order());
        Assert.Contains("->", error.Message);
    }

    [Fact]
    public void A_self_reference_is_a_cycle()
    {
        var error = Assert.Throws<GraphCycleException>(() => new AssetGraph([Asset("a", "a")]));
        Assert.Equal(["a", "a"], error.Cycle);
    }

    [Fact]
    public void Reachable_respects_depth()
    {
        var graph = new AssetGraph([Asset("a"), Asset("b", "a"), Asset("c", "b"), Asset("d", "c")]);
        Assert.Equal(["b", "c", "d"], graph.Reachable(["a"], upstream: false).Order());
        Assert.Equal(["b"], graph.Reachable(["a"], upstream: false, depth: 1).Order());
        Assert.Equal(["b", "c"], graph.Reachable(["d"], upstream: true, depth: 2).Order());
    }

    [Fact]
    public void An_unknown_dependency_is_an_error_not_a_new_vertex()
    {
        var error = Assert.Throws<AssetDeclarationException>(() => new AssetGraph([Asset("stg_events"), Asset("fct", "stg_event")]));
        Assert.Contains("ref('stg_event') names no asset", error.Message);
        Assert.Contains("stg_events", error.Message);
    }

    [Fact]
    public void Roots_and_sinks_come_from_the_graph()
    {
        var graph = new AssetGraph([Asset("mart_b", "core"), Asset("core", "raw"), Asset("raw"), Asset("mart_a", "core"), Asset("seed")]);
        Assert.Equal(["raw", "seed"], graph.Roots);
        Assert.Equal(["mart_a", "mart_b", "seed"], graph.Sinks);
        Assert.Equal(["core"], graph.UpstreamOf("mart_a"));
        Assert.Equal(["mart_a", "mart_b"], graph.DownstreamOf("core"));
    }

    [Fact]
    public void Levels_follow_the_longest_path_not_the_shortest()
    {
        // d hangs off a directly and off c two hops down: it belongs below c.
        var graph = new AssetGraph([Asset("d", "a", "c"), Asset("c", "b"), Asset("b", "a"), Asset("a")]);
        Assert.Equal(["a", "b", "c", "d"], graph.TopologicalOrder);
        Assert.Equal(3, graph.Levels["d"]);
    }

    [Fact]
    public void Renderers_write_nodes_and_edges()
    {
        var graph = new AssetGraph([Asset("a"), Asset("b", "a")]);
        Assert.Contains("a --> b", GraphRenderer.Render(graph, ["a", "b"], "mermaid"));
        Assert.Contains("\"a\" -> \"b\";", GraphRenderer.Render(graph, ["a", "b"], "dot"));
        Assert.Contains("\"from\": \"a\"", GraphRenderer.Render(graph, ["a", "b"], "json"));
        Assert.DoesNotContain("-->", GraphRenderer.Render(graph, ["b"], "mermaid"));
    }
}
