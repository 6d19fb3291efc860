using System.Globalization;
using System.Numerics;

namespace Analytics.Superset;

/// <summary>The import schemas of Superset 4.1.1, field by field, and the dashboard's position and metadata rules.</summary>
public static partial class BundleValidator
{
    private enum Kind
    {
        Text,
        Uuid,
        Bool,
        Int,
        Map,
        List,
        DateTime,
    }

    /// <summary>A marshmallow field: its type, whether it must be present, and whether null is allowed (<c>allow_none</c>).</summary>
    private sealed record Field(string Key, Kind Kind, bool Required = false, bool AllowNone = false);

    private static Field Text(string key, bool required = false, bool none = false) => new(key, Kind.Text, required, none);

    private static Field Of(string key, Kind kind, bool required = false, bool none = false) => new(key, kind, required, none);

    // MetadataSchema (superset/commands/importers/v1/__init__.py): version is validated as 1.0.0 below.
    private static readonly Field[] MetadataSchema = [Text("version", required: true), Text("type"), Of("timestamp", Kind.DateTime)];

    private static readonly Field[] DatabaseSchema =
    [
        Text("database_name", required: true), Text("sqlalchemy_uri", required: true), Text("password", none: true),
        Of("cache_timeout", Kind.Int, none: true), Of("expose_in_sqllab", Kind.Bool), Of("allow_run_async", Kind.Bool), Of("allow_ctas", Kind.Bool),
        Of("allow_cvas", Kind.Bool), Of("allow_dml", Kind.Bool), Of("allow_csv_upload", Kind.Bool), Of("allow_file_upload", Kind.Bool),
        Of("impersonate_user", Kind.Bool), Of("extra", Kind.Map), Of("uuid", Kind.Uuid, required: true), Text("version", required: true),
        Of("is_managed_externally", Kind.Bool, none: true), Text("external_url", none: true), Of("ssh_tunnel", Kind.Map, none: true),
    ];

    private static readonly Field[] DatabaseExtraSchema =
    [
        Of("metadata_params", Kind.Map), Of("engine_params", Kind.Map), Of("metadata_cache_timeout", Kind.Map),
        Of("schemas_allowed_for_csv_upload", Kind.List), Of("schemas_allowed_for_file_upload", Kind.List), Of("cost_estimate_enabled", Kind.Bool),
        Of("allows_virtual_table_explore", Kind.Bool), Of("cancel_query_on_windows_unload", Kind.Bool), Of("disable_data_preview", Kind.Bool),
        Of("disable_drill_to_detail", Kind.Bool), Of("allow_multi_catalog", Kind.Bool), Text("version", none: true),
    ];

    private static readonly Field[] DatasetSchema =
    [
        Text("table_name", required: true), Text("main_dttm_col", none: true), Text("description", none: true), Text("default_endpoint", none: true),
        Of("offset", Kind.Int), Of("cache_timeout", Kind.Int, none: true), Text("schema", none: true), Text("catalog", none: true),
        Text("sql", none: true), Of("params", Kind.Map, none: true), Of("template_params", Kind.Map, none: true), Of("filter_select_enabled", Kind.Bool),
        Text("fetch_values_predicate", none: true), Of("extra", Kind.Map, none: true), Of("uuid", Kind.Uuid, required: true), Of("columns", Kind.List),
        Of("metrics", Kind.List), Text("version", required: true), Of("database_uuid", Kind.Uuid, required: true), Text("data"),
        Of("is_managed_externally", Kind.Bool, none: true), Text("external_url", none: true), Of("normalize_columns", Kind.Bool),
        Of("always_filter_main_dttm", Kind.Bool),
    ];

    private static readonly Field[] ColumnSchema =
    [
        Text("column_name", required: true), Of("extra", Kind.Map, none: true), Text("verbose_name", none: true), Of("is_dttm", Kind.Bool, none: true),
        Of("is_active", Kind.Bool, none: true), Text("type", none: true), Text("advanced_data_type", none: true), Of("groupby", Kind.Bool, none: true),
        Of("filterable", Kind.Bool, none: true), Text("expression", none: true), Text("description", none: true), Text("python_date_format", none: true),
    ];

    private static readonly Field[] MetricSchema =
    [
        Text("metric_name", required: true), Text("verbose_name", none: true), Text("metric_type", none: true), Text("expression", required: true),
        Text("description", none: true), Text("d3format", none: true), Of("currency", Kind.Map, none: true), Of("extra", Kind.Map, none: true),
        Text("warning_text", none: true),
    ];

    private static readonly Field[] ChartSchema =
    [
        Text("slice_name", required: true), Text("description", none: true), Text("viz_type", required: true), Of("params", Kind.Map, none: true),
        Text("query_context", none: true), Of("cache_timeout", Kind.Int, none: true), Of("uuid", Kind.Uuid, required: true), Text("version", required: true),
        Of("dataset_uuid", Kind.Uuid, required: true), Of("is_managed_externally", Kind.Bool, none: true), Text("external_url", none: true),
        Text("certified_by", none: true), Text("certification_details", none: true),
    ];

    private static readonly Field[] DashboardSchema =
    [
        Text("dashboard_title", required: true), Text("description", none: true), Text("css", none: true), Text("slug", none: true),
        Of("uuid", Kind.Uuid, required: true), Of("position", Kind.Map), Of("metadata", Kind.Map), Text("version", required: true),
        Of("is_managed_externally", Kind.Bool, none: true), Text("external_url", none: true), Text("certified_by", none: true),
        Text("certification_details", none: true), Of("published", Kind.Bool, none: true),
    ];

    /// <summary>marshmallow's Boolean: what it reads as true or false besides a bool.</summary>
    private static readonly HashSet<string> BooleanTexts =
        ["t", "T", "true", "True", "TRUE", "on", "On", "ON", "y", "Y", "yes", "Yes", "YES", "1", "f", "F", "false", "False", "FALSE", "off", "Off", "OFF",
         "n", "N", "no", "No", "NO", "0"];

    /// <summary>As <c>schema.load</c> would: each field present and typed, null only where allowed, and no field the schema lacks.</summary>
    private static void Load(List<string> problems, string path, Dictionary<string, object?> doc, Field[] schema)
    {
        foreach (var field in schema)
        {
            if (!doc.TryGetValue(field.Key, out var value))
            {
                if (field.Required)
                {
                    problems.Add($"{path}: {field.Key} is required");
                }

                continue;
            }

            if (value is null)
            {
                if (!field.AllowNone)
                {
                    problems.Add($"{path}: {field.Key} may not be null; give it a value or leave it out");
                }

                continue;
            }

            if (!Fits(field.Kind, value))
            {
                problems.Add($"{path}: {field.Key} must be {Describe(field.Kind)}{(value is YamlTimestamp t ? $", but '{t.Text}' is unquoted, so YAML reads it as a datetime; quote it" : "")}");
            }
        }

        foreach (var key in doc.Keys.Where(k => schema.All(f => f.Key != k)))
        {
            problems.Add($"{path}: {key} is no field Superset's importer knows, and its schema refuses unknown fields; leave it out");
        }
    }

    private static bool Fits(Kind kind, object value) => kind switch
    {
        Kind.Text => value is string,
        Kind.Uuid => value is string s && Guid.TryParse(s, out _),
        Kind.Bool => value is bool || value is string b && BooleanTexts.Contains(b) || value is 0L or 1L,
        Kind.Int => value is long or BigInteger or bool || value is string i && long.TryParse(i, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
        Kind.Map => value is Dictionary<string, object?>,
        Kind.List => value is List<object?>,
        // fields.DateTime reads ISO 8601 text; a datetime PyYAML made of an unquoted timestamp is "Not a valid datetime".
        _ => value is string d && DateTimeOffset.TryParse(d, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _),
    };

    private static string Describe(Kind kind) => kind switch
    {
        Kind.Uuid => "a UUID",
        Kind.Bool => "true or false",
        Kind.Int => "a whole number",
        Kind.Map => "a mapping",
        Kind.List => "a list",
        Kind.DateTime => "an ISO 8601 date and time, as text",
        _ => "text",
    };

    /// <summary>
    /// What <c>build_uuid_to_id_map</c> and <c>update_id_refs</c> read of a dashboard: every element of the position
    /// has a type; each CHART element a meta with its chart's uuid and an integer chartId, unique in the dashboard;
    /// metadata refers to charts only by those ids, and native filters to datasets of the bundle.
    /// </summary>
    private static void CheckPosition(List<string> problems, string path, Dictionary<string, object?> dashboard, HashSet<string> datasetUuids)
    {
        var position = dashboard.GetValueOrDefault("position") as Dictionary<string, object?> ?? [];
        foreach (var (id, value) in position)
        {
            if (value is not Dictionary<string, object?> element)
            {
                continue;
            }

            if (element.GetValueOrDefault("type") is not string type)
            {
                problems.Add($"{path}: position element {id} has no type; the importer reads every element's type");
                continue;
            }

            if (type != "CHART")
            {
                continue;
            }

            if (element.GetValueOrDefault("meta") is not Dictionary<string, object?> meta)
            {
                problems.Add($"{path}: CHART element {id} has no meta; it needs meta.uuid and meta.chartId");
            }
            else if (meta.ContainsKey("uuid") && meta.GetValueOrDefault("chartId") is not long)
            {
                problems.Add($"{path}: CHART element {id} has no integer meta.chartId; the importer reads it beside meta.uuid "
                             + "(build_uuid_to_id_map) and replaces it with the imported chart's id, so any unique integer does");
            }
        }

        var ids = PlacedCharts(dashboard).Select(c => c.ChartId).OfType<long>().ToList();
        foreach (var repeated in ids.GroupBy(i => i).Where(g => g.Count() > 1))
        {
            problems.Add($"{path}: meta.chartId {repeated.Key} is given to {repeated.Count()} charts; each needs its own");
        }

        if (dashboard.GetValueOrDefault("metadata") is not Dictionary<string, object?> metadata)
        {
            return;
        }

        var known = ids.ToHashSet();
        foreach (var immune in metadata.GetValueOrDefault("timed_refresh_immune_slices") as List<object?> ?? [])
        {
            if (immune is not long chartId || !known.Contains(chartId))
            {
                problems.Add($"{path}: metadata.timed_refresh_immune_slices names {immune ?? "null"}, no chartId of the position");
            }
        }

        foreach (var section in new[] { "filter_scopes", "expanded_slices" })
        {
            foreach (var key in (metadata.GetValueOrDefault(section) as Dictionary<string, object?> ?? []).Keys)
            {
                if (!long.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var chartId) || !known.Contains(chartId))
                {
                    problems.Add($"{path}: metadata.{section} has key '{key}', no chartId of the position");
                }
            }
        }

        if (metadata.TryGetValue("default_filters", out var defaults) && defaults is not string)
        {
            problems.Add($"{path}: metadata.default_filters must be a JSON text, as the importer json.loads it");
        }

        foreach (var filter in (metadata.GetValueOrDefault("native_filter_configuration") as List<object?> ?? []).OfType<Dictionary<string, object?>>())
        {
            foreach (var target in (filter.GetValueOrDefault("targets") as List<object?> ?? []).OfType<Dictionary<string, object?>>())
            {
                if (target.GetValueOrDefault("datasetUuid") is string uuid && !datasetUuids.Contains(uuid))
                {
                    problems.Add($"{path}: native filter {filter.GetValueOrDefault("id")} targets dataset {uuid}, which no file in datasets/ has");
                }
            }
        }
    }
}
