using System.Text;
using System.Text.Json;

namespace Analytics.Core.Graph;

/// <summary>Writes (part of) the asset graph as Mermaid, Graphviz dot or JSON.</summary>
public static class GraphRenderer
{
    public static string Render(AssetGraph graph, IReadOnlyList<string> keys, string format)
    {
        var selected = keys.ToHashSet(StringComparer.Ordinal);
        var edges = keys.SelectMany(k => graph.UpstreamOf(k).Where(selected.Contains).Select(u => (From: u, To: k))).ToList();
        var text = new StringBuilder();
        switch (format)
        {
            case "dot":
                text.AppendLine("digraph assets {").AppendLine("  rankdir=LR;");
                foreach (var key in keys)
                {
                    text.AppendLine($"  \"{key}\" [label=\"{key}\\n({graph[key].Layer})\"];");
                }

                foreach (var (from, to) in edges)
                {
                    text.AppendLine($"  \"{from}\" -> \"{to}\";");
                }

                return text.AppendLine("}").ToString();
            case "json":
                return JsonSerializer.Serialize(new
                {
                    nodes = keys.Select(k => new { key = k, layer = graph[k].Layer, tags = graph[k].Tags, materialization = graph[k].Materialization.ToString().ToLowerInvariant() }),
                    edges = edges.Select(e => new { from = e.From, to = e.To }),
                }, new JsonSerializerOptions { WriteIndented = true });
            case "mermaid":
                text.AppendLine("graph LR");
                foreach (var key in keys)
                {
                    text.AppendLine($"  {key}[\"{key}\"]");
                }

                foreach (var (from, to) in edges)
                {
                    text.AppendLine($"  {from} --> {to}");
                }

                return text.ToString();
            default:
                throw new ArgumentException($"Unknown graph format '{format}'; use mermaid, dot or json.", nameof(format));
        }
    }
}
