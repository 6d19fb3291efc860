using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Analytics.Superset;

/// <summary>
/// Checks a bundle against the rules Superset's v1 importer applies (the <c>ImportV1*Schema</c> classes and
/// <c>commands/importers/v1</c>): every file parses as a YAML mapping; metadata.yaml says what the bundle is; each
/// database, dataset, chart and dashboard has its required keys with the right types; every UUID reference
/// resolves (chart to dataset, dataset to database, dashboard position to chart); every chart is placed on a
/// dashboard; and no password is in plain text. Returns the problems, each naming its file; none means valid.
/// </summary>
public static class BundleValidator
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    private enum Kind
    {
        Text,
        Uuid,
        Bool,
        Int,
        Map,
        List,
    }

    private static readonly (string Key, Kind Kind, bool Required)[] DatabaseKeys =
    [
        ("database_name", Kind.Text, true), ("sqlalchemy_uri", Kind.Text, true), ("uuid", Kind.Uuid, true), ("version", Kind.Text, true),
        ("password", Kind.Text, false), ("cache_timeout", Kind.Int, false), ("expose_in_sqllab", Kind.Bool, false), ("allow_run_async", Kind.Bool, false),
        ("allow_ctas", Kind.Bool, false), ("allow_cvas", Kind.Bool, false), ("allow_dml", Kind.Bool, false), ("allow_csv_upload", Kind.Bool, false),
        ("extra", Kind.Map, false),
    ];

    private static readonly (string Key, Kind Kind, bool Required)[] DatasetKeys =
    [
        ("table_name", Kind.Text, true), ("uuid", Kind.Uuid, true), ("version", Kind.Text, true), ("database_uuid", Kind.Uuid, true),
        ("main_dttm_col", Kind.Text, false), ("description", Kind.Text, false), ("offset", Kind.Int, false), ("cache_timeout", Kind.Int, false),
        ("schema", Kind.Text, false), ("sql", Kind.Text, false), ("params", Kind.Map, false), ("template_params", Kind.Map, false),
        ("filter_select_enabled", Kind.Bool, false), ("extra", Kind.Map, false), ("columns", Kind.List, false), ("metrics", Kind.List, false),
    ];

    private static readonly (string Key, Kind Kind, bool Required)[] ChartKeys =
    [
        ("slice_name", Kind.Text, true), ("viz_type", Kind.Text, true), ("uuid", Kind.Uuid, true), ("version", Kind.Text, true),
        ("dataset_uuid", Kind.Uuid, true), ("params", Kind.Map, false), ("query_context", Kind.Text, false), ("cache_timeout", Kind.Int, false),
        ("description", Kind.Text, false),
    ];

    private static readonly (string Key, Kind Kind, bool Required)[] DashboardKeys =
    [
        ("dashboard_title", Kind.Text, true), ("uuid", Kind.Uuid, true), ("version", Kind.Text, true), ("position", Kind.Map, false),
        ("metadata", Kind.Map, false), ("description", Kind.Text, false), ("css", Kind.Text, false), ("slug", Kind.Text, false),
        ("published", Kind.Bool, false),
    ];

    public static IReadOnlyList<string> Validate(SupersetBundle bundle)
    {
        var problems = new List<string>();
        var documents = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var (path, text) in bundle.Files)
        {
            try
            {
                if (Yaml.Deserialize<object>(text) is Dictionary<object, object> map)
                {
                    documents[path] = map.ToDictionary(kv => kv.Key?.ToString() ?? "", kv => (object?)kv.Value);
                }
                else
                {
                    problems.Add($"{path}: not a YAML mapping");
                }
            }
            catch (YamlException e)
            {
                problems.Add($"{path}: the YAML does not parse ({e.Message})");
            }
        }

        if (!documents.TryGetValue("metadata.yaml", out var metadata))
        {
            problems.Add("metadata.yaml: missing; the importer needs it to know what the bundle holds");
        }
        else
        {
            Require(problems, "metadata.yaml", metadata, [("version", Kind.Text, true), ("type", Kind.Text, true), ("timestamp", Kind.Text, true)]);
            if (metadata.GetValueOrDefault("type") is string type && type != "Dashboard")
            {
                problems.Add($"metadata.yaml: type is '{type}'; a dashboard bundle says Dashboard");
            }
        }

        var databases = Of(documents, "databases/");
        var datasets = Of(documents, "datasets/");
        var charts = Of(documents, "charts/");
        var dashboards = Of(documents, "dashboards/");
        foreach (var (path, doc) in databases)
        {
            Require(problems, path, doc, DatabaseKeys);
            CheckPassword(problems, path, doc);
        }

        foreach (var (path, doc) in datasets)
        {
            Require(problems, path, doc, DatasetKeys);
            foreach (var column in Items(doc, "columns"))
            {
                Require(problems, path + " (column)", column, [("column_name", Kind.Text, true), ("type", Kind.Text, false), ("is_dttm", Kind.Bool, false)]);
            }

            foreach (var metric in Items(doc, "metrics"))
            {
                Require(problems, path + " (metric)", metric, [("metric_name", Kind.Text, true), ("expression", Kind.Text, true)]);
            }
        }

        foreach (var (path, doc) in charts)
        {
            Require(problems, path, doc, ChartKeys);
        }

        foreach (var (path, doc) in dashboards)
        {
            Require(problems, path, doc, DashboardKeys);
        }

        Resolve(problems, datasets, "database_uuid", Uuids(databases), "database");
        Resolve(problems, charts, "dataset_uuid", Uuids(datasets), "dataset");
        var chartUuids = Uuids(charts);
        var placed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, doc) in dashboards)
        {
            foreach (var uuid in PlacedCharts(doc))
            {
                placed.Add(uuid);
                if (!chartUuids.Contains(uuid))
                {
                    problems.Add($"{path}: the position places chart {uuid}, which no file in charts/ has");
                }
            }
        }

        foreach (var (path, doc) in charts)
        {
            if (doc.GetValueOrDefault("uuid") is string uuid && !placed.Contains(uuid))
            {
                problems.Add($"{path}: the chart is on no dashboard; place it in a dashboard's position");
            }
        }

        foreach (var (path, text) in bundle.Files)
        {
            if (text.Contains("password:", StringComparison.OrdinalIgnoreCase) && documents.TryGetValue(path, out var doc)
                && doc.GetValueOrDefault("password") is string { Length: > 0 })
            {
                problems.Add($"{path}: holds a password in plain text; leave it out and pass it at import (passwords)");
            }
        }

        return problems;
    }

    private static List<(string Path, Dictionary<string, object?> Doc)> Of(Dictionary<string, Dictionary<string, object?>> documents, string folder) =>
        documents.Where(d => d.Key.StartsWith(folder, StringComparison.Ordinal)).Select(d => (d.Key, d.Value)).ToList();

    private static IEnumerable<Dictionary<string, object?>> Items(Dictionary<string, object?> doc, string key) =>
        (doc.GetValueOrDefault(key) as List<object> ?? []).OfType<Dictionary<object, object>>()
        .Select(m => m.ToDictionary(kv => kv.Key?.ToString() ?? "", kv => (object?)kv.Value));

    private static HashSet<string> Uuids(List<(string Path, Dictionary<string, object?> Doc)> documents) =>
        documents.Select(d => d.Doc.GetValueOrDefault("uuid") as string).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

    private static void Resolve(List<string> problems, List<(string Path, Dictionary<string, object?> Doc)> documents, string key, HashSet<string> known, string what)
    {
        foreach (var (path, doc) in documents)
        {
            if (doc.GetValueOrDefault(key) is string uuid && Guid.TryParse(uuid, out _) && !known.Contains(uuid))
            {
                problems.Add($"{path}: {key} {uuid} names no {what} in the bundle");
            }
        }
    }

    /// <summary>The chart UUIDs a dashboard's position places (CHART components, meta.uuid).</summary>
    private static IEnumerable<string> PlacedCharts(Dictionary<string, object?> dashboard) =>
        (dashboard.GetValueOrDefault("position") as Dictionary<object, object> ?? [])
        .Values.OfType<Dictionary<object, object>>()
        .Where(c => c.GetValueOrDefault("type") as string == "CHART")
        .Select(c => (c.GetValueOrDefault("meta") as Dictionary<object, object>)?.GetValueOrDefault("uuid") as string)
        .OfType<string>();

    /// <summary>A URI's password must be the mask (or absent): the real one travels only in the import request.</summary>
    private static void CheckPassword(List<string> problems, string path, Dictionary<string, object?> database)
    {
        if (database.GetValueOrDefault("sqlalchemy_uri") is not string uri)
        {
            return;
        }

        if (BundleBuilder.PasswordOf(uri) is { } secret && secret != SupersetBundle.PasswordMask)
        {
            problems.Add($"{path}: sqlalchemy_uri holds a password in plain text; write it as {SupersetBundle.PasswordMask} and pass it at import");
        }
    }

    private static void Require(List<string> problems, string path, Dictionary<string, object?> doc, (string Key, Kind Kind, bool Required)[] keys)
    {
        foreach (var (key, kind, required) in keys)
        {
            if (!doc.TryGetValue(key, out var value) || value is null)
            {
                if (required)
                {
                    problems.Add($"{path}: {key} is required");
                }

                continue;
            }

            var ok = kind switch
            {
                Kind.Text => value is string,
                Kind.Uuid => value is string s && Guid.TryParse(s, out _),
                Kind.Bool => value is string b && b is "true" or "false",
                Kind.Int => value is string i && long.TryParse(i, out _),
                Kind.Map => value is Dictionary<object, object>,
                _ => value is List<object>,
            };
            if (!ok)
            {
                problems.Add($"{path}: {key} must be {kind switch { Kind.Uuid => "a UUID", Kind.Bool => "true or false", Kind.Int => "a whole number", Kind.Map => "a mapping", Kind.List => "a list", _ => "text" }}");
            }
        }
    }
}
