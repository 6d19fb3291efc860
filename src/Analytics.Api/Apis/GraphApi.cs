using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Selection;
using Analytics.Orchestration;

namespace Analytics.Api.Apis;

public static class GraphApi
{
    public static IEndpointRouteBuilder MapGraphApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/graph", (string? select, AssetProject project) =>
        {
            var graph = project.Graph;
            SelectionExpression selection;
            IReadOnlyList<string> keys;
            try
            {
                selection = SelectionParser.Parse(select);
                keys = selection.ResolveOrdered(graph);
            }
            catch (SelectionException e)
            {
                return Problems.BadSelection(e);
            }

            if (keys.Count == 0 && graph.Keys.Any())
            {
                // As in the CLI: a selection of nothing is a mistake worth naming (the tag no asset has, say).
                return Problems.BadRequest(EmptySelection.Explain(select ?? "", selection, graph));
            }

            var chosen = keys.ToHashSet(StringComparer.Ordinal);
            return TypedResults.Ok(new GraphView(
                keys.Select(k => new GraphNode(k, graph[k].Layer, graph[k].Tags, graph.Levels[k])).ToList(),
                keys.SelectMany(k => graph.UpstreamOf(k).Where(chosen.Contains).Select(u => new GraphEdge(u, k))).ToList()));
        }).WithTags("Assets").RequireRole(Role.Viewer).WithName("GetGraph").WithSummary("Nodes and edges of a selection (default: everything)")
            .Produces<GraphView>().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }
}

public sealed record GraphNode(string Key, string Layer, IReadOnlyList<string> Tags, int Level);

public sealed record GraphEdge(string From, string To);

public sealed record GraphView(IReadOnlyList<GraphNode> Nodes, IReadOnlyList<GraphEdge> Edges);
