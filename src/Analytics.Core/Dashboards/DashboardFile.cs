using System.Text.RegularExpressions;
using Analytics.Core.Assets;
using Analytics.Core.Graph;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Analytics.Core.Dashboards;

/// <summary>
/// Reads <c>assets-sql/dashboards.yml</c>, the one declaration of the dashboards: every problem is an
/// <see cref="AssetDeclarationException"/> naming the file, the line and the fix, found when the project loads
/// (unknown keys, kinds, marts); <see cref="CheckColumns"/> then checks the columns against the marts' real ones.
/// </summary>
public static partial class DashboardFile
{
    public const string FileName = "dashboards.yml";

    /// <summary>The column a <c>group_by</c> read adds: how many rows each group has.</summary>
    public const string CountColumn = "count";

    public const int MaxDashboards = 20;
    public const int MaxCharts = 60;

    private static readonly string[] Kinds = ["bar", "line", "hbar", "heatmap"];
    private static readonly string[] Formats = ["number", "percent", "ratio"];
    private static readonly HashSet<string> ChartKeys =
        ["id", "title", "mart", "kind", "x", "y", "value", "split", "time", "bucket", "group_by", "where", "order", "series", "format", "y_name", "right_name", "wide",
         "sort_by_total", "aggregate"];
    private static readonly HashSet<string> KpiKeys = ["id", "label", "mart", "column", "order", "time", "where", "format", "note", "count"];
    private static readonly HashSet<string> SeriesKeys = ["column", "label", "kind", "axis", "stack", "negate", "dashed"];

    /// <summary>The dashboards of the assets folder; none when it has no dashboards.yml.</summary>
    public static IReadOnlyList<Dashboard> Load(string assetsFolder, AssetGraph graph)
    {
        var path = Path.Combine(assetsFolder, FileName);
        return File.Exists(path) ? Parse(path, File.ReadAllText(path), graph) : [];
    }

    public static IReadOnlyList<Dashboard> Parse(string path, string text, AssetGraph graph)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (Exception e) when (e is YamlException or ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new AssetDeclarationException($"{path}: the YAML does not parse ({e.Message}).");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return [];
        }

        var reader = new Reader(path, graph);
        var root = reader.Map(stream.Documents[0].RootNode, "the file", ["dashboards"]);
        var list = reader.Map(root.GetValueOrDefault("dashboards") ?? throw reader.Fail(stream.Documents[0].RootNode, "expected 'dashboards:' with a mapping of dashboards by name"),
            "dashboards", null);
        if (list.Count > MaxDashboards)
        {
            throw reader.Fail(stream.Documents[0].RootNode, $"{list.Count} dashboards; at most {MaxDashboards}");
        }

        return list.Select(kv => reader.Dashboard(kv.Key, kv.Value)).ToList();
    }

    /// <summary>
    /// The declarations' columns checked against the marts' real ones (a mart not built yet is skipped): each problem
    /// names the file, the line, the chart and the column, with the mart's columns.
    /// </summary>
    public static IReadOnlyList<string> CheckColumns(string path, IReadOnlyList<Dashboard> dashboards, IReadOnlyDictionary<string, IReadOnlyList<string>> columns)
    {
        var problems = new List<string>();
        foreach (var dashboard in dashboards)
        {
            foreach (var (id, mart, line, used) in dashboard.Charts.Select(c => (c.Id, c.Mart, c.Line, c.Columns))
                         .Concat(dashboard.Kpis.Select(k => (k.Id, k.Mart, k.Line, KpiColumns(k)))))
            {
                if (!columns.TryGetValue(mart, out var real))
                {
                    continue;
                }

                foreach (var column in used.Where(c => !real.Contains(c)))
                {
                    problems.Add($"{path}:{line}: '{id}' reads column '{column}', which {mart} does not have.{NameSuggestions.DidYouMean(column, real)} "
                                 + $"Its columns: {string.Join(", ", real)}.");
                }
            }
        }

        return problems;
    }

    private static IEnumerable<string> KpiColumns(DashboardKpi kpi) =>
        new[] { kpi.Column, kpi.Order?.TrimStart('-'), kpi.Time }.OfType<string>().Concat(kpi.Where.Keys)
            .Concat(Placeholder().Matches(kpi.Note).Select(m => m.Groups[1].Value).Where(p => p != "grain")).Distinct(StringComparer.Ordinal);

    [GeneratedRegex(@"\{([a-z_][a-z0-9_]*)\}")]
    private static partial Regex Placeholder();

    private sealed class Reader(string path, AssetGraph graph)
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

        public AssetDeclarationException Fail(YamlNode node, string problem) => new($"{path}:{node.Start.Line}: {problem}.");

        public Dictionary<string, YamlNode> Map(YamlNode node, string what, HashSet<string>? keys)
        {
            if (node is not YamlMappingNode map)
            {
                throw Fail(node, $"{what} must be a mapping");
            }

            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? throw Fail(key, $"a key of {what} must be a name");
                if (keys is not null && !keys.Contains(name))
                {
                    throw Fail(key, $"{what} has no key '{name}'.{NameSuggestions.DidYouMean(name, keys)} It may have: {string.Join(", ", keys.Order())}");
                }

                result[name] = value;
            }

            return result;
        }

        private string? Text(Dictionary<string, YamlNode> map, string key, string what) => map.GetValueOrDefault(key) switch
        {
            null => null,
            YamlScalarNode scalar => scalar.Value,
            var other => throw Fail(other, $"{what}: {key} must be a single value"),
        };

        private string Required(Dictionary<string, YamlNode> map, YamlNode at, string key, string what) =>
            Text(map, key, what) is { Length: > 0 } value ? value : throw Fail(at, $"{what} has no {key}");

        private bool Flag(Dictionary<string, YamlNode> map, string key, string what) => Text(map, key, what) switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw Fail(map[key], $"{what}: {key} is '{other}'; write true or false"),
        };

        private string OneOf(Dictionary<string, YamlNode> map, string key, string what, string[] allowed, string fallback)
        {
            var value = Text(map, key, what) ?? fallback;
            return allowed.Contains(value) ? value : throw Fail(map[key], $"{what}: {key} '{value}' is none of {string.Join(", ", allowed)}");
        }

        private IReadOnlyDictionary<string, string> Where(Dictionary<string, YamlNode> map, string what) =>
            map.GetValueOrDefault("where") is { } node
                ? Map(node, $"{what}'s where", null).ToDictionary(kv => kv.Key, kv => (kv.Value as YamlScalarNode)?.Value ?? throw Fail(kv.Value, $"{what}: where values are single values"))
                : new Dictionary<string, string>();

        private string Mart(Dictionary<string, YamlNode> map, YamlNode at, string what)
        {
            var mart = Required(map, at, "mart", what);
            var marts = graph.Keys.Where(k => graph[k].Layer == "marts").ToList();
            return graph.Contains(mart) && graph[mart].Layer == "marts"
                ? mart
                : throw Fail(map["mart"], $"{what}: '{mart}' is no mart.{NameSuggestions.DidYouMean(mart, marts)} Dashboards read the marts only: {string.Join(", ", marts)}");
        }

        private string Id(Dictionary<string, YamlNode> map, YamlNode at, string what)
        {
            var id = Required(map, at, "id", what);
            if (!IdPattern().IsMatch(id))
            {
                throw Fail(map["id"], $"{what}: id '{id}' must be lowercase letters, digits, '-' and '_'");
            }

            return _ids.Add(id) ? id : throw Fail(map["id"], $"{what}: id '{id}' is declared twice; ids are unique");
        }

        public Dashboard Dashboard(string name, YamlNode node)
        {
            var what = $"dashboard '{name}'";
            var map = Map(node, what, ["title", "grains", "kpis", "charts"]);
            var grains = map.GetValueOrDefault("grains") is YamlSequenceNode g
                ? g.Children.Select(c => (c as YamlScalarNode)?.Value is "week" or "month" ? ((YamlScalarNode)c).Value! : throw Fail(c, $"{what}: a grain is week or month")).ToList()
                : ["week"];
            var kpis = Items(map, "kpis", what).Select(n => Kpi(n)).ToList();
            var charts = Items(map, "charts", what).Select(n => Chart(n)).ToList();
            if (charts.Count + kpis.Count > MaxCharts)
            {
                throw Fail(node, $"{what} has {charts.Count + kpis.Count} tiles and charts; at most {MaxCharts}");
            }

            return new Dashboard(name, Text(map, "title", what) ?? name, grains, kpis, charts);
        }

        private IEnumerable<YamlNode> Items(Dictionary<string, YamlNode> map, string key, string what) => map.GetValueOrDefault(key) switch
        {
            null => [],
            YamlSequenceNode list => list.Children,
            var other => throw Fail(other, $"{what}: {key} must be a list"),
        };

        private DashboardKpi Kpi(YamlNode node)
        {
            var map = Map(node, "a KPI", KpiKeys);
            var id = Id(map, node, "a KPI");
            var what = $"KPI '{id}'";
            var count = Flag(map, "count", what);
            var column = Text(map, "column", what);
            if (column is null && !count)
            {
                throw Fail(node, $"{what} has no column; name the column it shows, or write count: true for the number of rows");
            }

            return new DashboardKpi(id, Required(map, node, "label", what), Mart(map, node, what), column, Text(map, "order", what), Text(map, "time", what),
                Where(map, what), OneOf(map, "format", what, Formats, "number"), Text(map, "note", what) ?? "", count)
            { Line = (int)node.Start.Line };
        }

        private DashboardChart Chart(YamlNode node)
        {
            var map = Map(node, "a chart", ChartKeys);
            var id = Id(map, node, "a chart");
            var what = $"chart '{id}'";
            var kind = OneOf(map, "kind", what, Kinds, "bar");
            var series = Items(map, "series", what).Select(n =>
            {
                var s = Map(n, $"{what}'s series", SeriesKeys);
                var column = Required(s, n, "column", $"{what}'s series");
                return new DashboardSeries(column, Text(s, "label", what) ?? column, OneOf(s, "kind", what, ["bar", "line"], kind == "line" ? "line" : "bar"),
                    OneOf(s, "axis", what, ["left", "right"], "left"), Text(s, "stack", what), Flag(s, "negate", what), Flag(s, "dashed", what));
            }).ToList();
            var split = Text(map, "split", what);
            var value = Text(map, "value", what);
            if (series.Count == 0 && (split is null || value is null) && kind != "heatmap")
            {
                throw Fail(node, $"{what} draws nothing: give it series (one column each), or split and value (a series per value of split)");
            }

            if (kind == "heatmap" && (Text(map, "y", what) is null || value is null))
            {
                throw Fail(node, $"{what} is a heatmap: it needs y (its rows) and value (its cells)");
            }

            var groupBy = map.GetValueOrDefault("group_by") is YamlSequenceNode list
                ? list.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw Fail(c, $"{what}: group_by lists columns")).ToList()
                : [];
            return new DashboardChart(id, Required(map, node, "title", what), Mart(map, node, what), kind, Required(map, node, "x", what), Text(map, "y", what), value,
                split, Text(map, "time", what), Flag(map, "bucket", what), groupBy, Where(map, what), Text(map, "order", what), series,
                OneOf(map, "format", what, Formats, "number"), Text(map, "y_name", what), Text(map, "right_name", what), Flag(map, "wide", what),
                Flag(map, "sort_by_total", what), OneOf(map, "aggregate", what, ["sum", "max"], "sum"))
            { Line = (int)node.Start.Line };
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex IdPattern();
}
