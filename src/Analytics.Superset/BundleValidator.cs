using System.Globalization;
using YamlDotNet.Core;

namespace Analytics.Superset;

/// <summary>
/// Checks a bundle against what Superset 4.1's v1 importer does with it: every file is read as PyYAML reads it (an
/// unquoted timestamp is a datetime, <c>on</c> a bool); each of metadata.yaml, databases/, datasets/, charts/ and
/// dashboards/ is loaded by its marshmallow schema (<c>ImportV1*Schema</c>, <c>MetadataSchema</c>), which refuses a
/// missing required field, a null where none is allowed, a value of the wrong type and a field it does not know;
/// every UUID reference resolves; the dashboard's position gives each CHART element the <c>meta.uuid</c> and
/// <c>meta.chartId</c> <c>build_uuid_to_id_map</c> reads, and its metadata names only those charts and the bundle's
/// datasets; every chart is placed; no password is in plain text. Returns the problems, each naming its file.
/// </summary>
public static partial class BundleValidator
{
    public static IReadOnlyList<string> Validate(SupersetBundle bundle)
    {
        var problems = new List<string>();
        var documents = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var (path, text) in bundle.Files)
        {
            try
            {
                if (PyYaml.Load(text) is Dictionary<string, object?> map)
                {
                    documents[path] = map;
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
            Load(problems, "metadata.yaml", metadata, MetadataSchema);
            if (metadata.GetValueOrDefault("version") is string version && version != SupersetBundle.Version)
            {
                problems.Add($"metadata.yaml: version is '{version}'; the v1 importer takes only {SupersetBundle.Version}");
            }

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
            Load(problems, path, doc, DatabaseSchema);
            if (doc.GetValueOrDefault("extra") is Dictionary<string, object?> extra)
            {
                Load(problems, path + " (extra)", extra, DatabaseExtraSchema);
            }

            CheckPassword(problems, path, doc);
        }

        foreach (var (path, doc) in datasets)
        {
            Load(problems, path, doc, DatasetSchema);
            foreach (var column in Items(doc, "columns"))
            {
                Load(problems, path + " (column)", column, ColumnSchema);
            }

            foreach (var metric in Items(doc, "metrics"))
            {
                Load(problems, path + " (metric)", metric, MetricSchema);
            }
        }

        foreach (var (path, doc) in charts)
        {
            Load(problems, path, doc, ChartSchema);
        }

        var datasetUuids = Uuids(datasets);
        foreach (var (path, doc) in dashboards)
        {
            Load(problems, path, doc, DashboardSchema);
            CheckPosition(problems, path, doc, datasetUuids);
        }

        Resolve(problems, datasets, "database_uuid", Uuids(databases), "database");
        Resolve(problems, charts, "dataset_uuid", datasetUuids, "dataset");
        var chartUuids = Uuids(charts);
        var placed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (path, doc) in dashboards)
        {
            foreach (var uuid in PlacedCharts(doc).Select(c => c.Uuid))
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

        foreach (var (path, doc) in documents)
        {
            if (doc.GetValueOrDefault("password") is string { Length: > 0 })
            {
                problems.Add($"{path}: holds a password in plain text; leave it out and pass it at import (passwords)");
            }
        }

        return problems;
    }

    private static List<(string Path, Dictionary<string, object?> Doc)> Of(Dictionary<string, Dictionary<string, object?>> documents, string folder) =>
        documents.Where(d => d.Key.StartsWith(folder, StringComparison.Ordinal)).Select(d => (d.Key, d.Value)).ToList();

    private static IEnumerable<Dictionary<string, object?>> Items(Dictionary<string, object?> doc, string key) =>
        (doc.GetValueOrDefault(key) as List<object?> ?? []).OfType<Dictionary<string, object?>>();

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

    /// <summary>The CHART elements of a dashboard's position with a <c>meta.uuid</c>, and their <c>meta.chartId</c> when it is an integer.</summary>
    private static IEnumerable<(string Id, string Uuid, long? ChartId)> PlacedCharts(Dictionary<string, object?> dashboard) =>
        (dashboard.GetValueOrDefault("position") as Dictionary<string, object?> ?? [])
        .Select(kv => (kv.Key, Element: kv.Value as Dictionary<string, object?>))
        .Where(e => e.Element?.GetValueOrDefault("type") as string == "CHART")
        .Select(e => (e.Key, Meta: e.Element!.GetValueOrDefault("meta") as Dictionary<string, object?>))
        .Where(e => e.Meta?.GetValueOrDefault("uuid") is string)
        .Select(e => (e.Key, (string)e.Meta!["uuid"]!, e.Meta.GetValueOrDefault("chartId") as long?));

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
}
