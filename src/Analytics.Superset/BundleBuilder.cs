using Analytics.Core.Dashboards;

namespace Analytics.Superset;

/// <summary>
/// Builds the Growth dashboard bundle from the catalog: the warehouse database (password masked), a dataset per
/// mart (its columns and types, a time column when it has a date, a row count and a sum per numeric column as
/// metrics), the charts of the web UI's /dashboards page, and one dashboard placing every chart with a native
/// time-range filter. UUIDs are stable, so a second import updates the first.
/// </summary>
public static partial class BundleBuilder
{
    public const string DatabaseName = "analytics_warehouse";
    public const string DashboardTitle = "Growth";

    /// <summary>The time column of each time-series mart (the others are per user or per cohort offset).</summary>
    private static readonly Dictionary<string, string> TimeColumns = new(StringComparer.Ordinal)
    {
        ["growth_metrics"] = "date",
        ["social_capital_growth_accounting"] = "period_start",
        ["quick_ratio_analysis"] = "period_start",
        ["retention_cohorts"] = "cohort_start",
        ["user_resurrection_analysis"] = "returned_date",
        ["growth_drivers"] = "date",
        ["miles_analytics"] = "date",
        ["category_engagement"] = "week_start",
        ["users_with_negative_miles"] = "first_negative_at",
    };

    private sealed record Chart(string Key, string Title, string VizType, string Mart, Dictionary<string, object?> Params, int Width);

    public static SupersetBundle Build(IReadOnlyList<MartTable> marts, IReadOnlyList<Dashboard> dashboards, string databaseUri, DateTimeOffset now)
    {
        var bundle = new SupersetBundle();
        var databaseUuid = SupersetBundle.StableUuid("database:" + DatabaseName);
        bundle.Add("metadata.yaml", new Dictionary<string, object?>
        {
            ["version"] = SupersetBundle.Version,
            ["type"] = "Dashboard",
            ["timestamp"] = now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffff+00:00"),
        });
        bundle.Add($"databases/{DatabaseName}.yaml", new Dictionary<string, object?>
        {
            ["database_name"] = DatabaseName,
            ["sqlalchemy_uri"] = MaskPassword(databaseUri),
            ["cache_timeout"] = null,
            ["expose_in_sqllab"] = true,
            ["allow_run_async"] = false,
            ["allow_ctas"] = false,
            ["allow_cvas"] = false,
            ["allow_dml"] = false,
            ["allow_csv_upload"] = false,
            ["extra"] = new Dictionary<string, object?> { ["allows_virtual_table_explore"] = true },
            ["uuid"] = databaseUuid.ToString(),
            ["version"] = SupersetBundle.Version,
        });

        var datasets = new Dictionary<string, Guid>(StringComparer.Ordinal);
        foreach (var mart in marts)
        {
            var uuid = SupersetBundle.StableUuid("dataset:" + mart.Name);
            datasets[mart.Name] = uuid;
            bundle.Add($"datasets/{DatabaseName}/{mart.Name}.yaml", Dataset(mart, uuid, databaseUuid));
        }

        var charts = Charts(dashboards, marts).Where(c => datasets.ContainsKey(c.Mart)).ToList();
        foreach (var chart in charts)
        {
            bundle.Add($"charts/{chart.Key}.yaml", new Dictionary<string, object?>
            {
                ["slice_name"] = chart.Title,
                ["description"] = null,
                ["viz_type"] = chart.VizType,
                ["params"] = chart.Params,
                ["query_context"] = null,
                ["cache_timeout"] = null,
                ["uuid"] = SupersetBundle.StableUuid("chart:" + chart.Key).ToString(),
                ["version"] = SupersetBundle.Version,
                ["dataset_uuid"] = datasets[chart.Mart].ToString(),
            });
        }

        bundle.Add("dashboards/growth.yaml", Dashboard(charts));
        return bundle;
    }

    /// <summary><c>scheme://user:secret@host/db</c> with the secret replaced by Superset's mask; no password, no change.</summary>
    public static string MaskPassword(string uri) =>
        Password(uri) is { } span ? uri[..span.Start] + SupersetBundle.PasswordMask + uri[span.End..] : uri;

    /// <summary>The password a URI holds (URL-decoded), or null.</summary>
    public static string? PasswordOf(string uri) => Password(uri) is { } span ? System.Uri.UnescapeDataString(uri[span]) : null;

    /// <summary>Where the password of <c>scheme://user:password@host</c> is, if it has one.</summary>
    private static Range? Password(string uri)
    {
        var at = uri.LastIndexOf('@');
        var scheme = uri.IndexOf("://", StringComparison.Ordinal);
        var colon = scheme < 0 ? -1 : uri.IndexOf(':', scheme + 3);
        return scheme < 0 || at < scheme || colon < 0 || colon > at ? null : (colon + 1)..at;
    }

    private static Dictionary<string, object?> Dataset(MartTable mart, Guid uuid, Guid databaseUuid)
    {
        var time = TimeColumns.GetValueOrDefault(mart.Name);
        var numeric = mart.Columns.Where(c => IsNumeric(c.Type)).ToList();
        var metrics = new List<Dictionary<string, object?>> { Metric("count", "COUNT(*)", "Rows") };
        metrics.AddRange(numeric.Select(c => Metric($"sum__{c.Name}", $"SUM({Analytics.Warehouse.Postgres.PostgresDialect.Quote(c.Name)})", $"Sum of {c.Name}")));
        return new Dictionary<string, object?>
        {
            ["table_name"] = mart.Name,
            ["main_dttm_col"] = time,
            ["description"] = mart.Description,
            ["default_endpoint"] = null,
            ["offset"] = 0,
            ["cache_timeout"] = null,
            ["schema"] = mart.Schema,
            ["sql"] = null,
            ["params"] = null,
            ["template_params"] = null,
            ["filter_select_enabled"] = true,
            ["fetch_values_predicate"] = null,
            ["extra"] = null,
            ["uuid"] = uuid.ToString(),
            ["metrics"] = metrics,
            ["columns"] = mart.Columns.Select(c => new Dictionary<string, object?>
            {
                ["column_name"] = c.Name,
                ["verbose_name"] = null,
                ["is_dttm"] = c.Name == time || IsTemporal(c.Type),
                ["is_active"] = true,
                ["type"] = c.Type.ToUpperInvariant(),
                ["groupby"] = true,
                ["filterable"] = true,
                ["expression"] = null,
                ["description"] = null,
                ["python_date_format"] = null,
                ["extra"] = null,
            }).ToList(),
            ["version"] = SupersetBundle.Version,
            ["database_uuid"] = databaseUuid.ToString(),
        };
    }

    private static Dictionary<string, object?> Metric(string name, string expression, string verbose) => new()
    {
        ["metric_name"] = name,
        ["verbose_name"] = verbose,
        ["metric_type"] = null,
        ["expression"] = expression,
        ["description"] = null,
        ["d3format"] = null,
        ["extra"] = null,
        ["warning_text"] = null,
    };

    private static bool IsNumeric(string type) =>
        type is "integer" or "bigint" or "smallint" or "numeric" or "real" or "double precision" || type.StartsWith("numeric", StringComparison.Ordinal);

    private static bool IsTemporal(string type) => type is "date" || type.StartsWith("timestamp", StringComparison.Ordinal);

}
