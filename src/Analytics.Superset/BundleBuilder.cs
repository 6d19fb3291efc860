using Analytics.Core.Dashboards;
using Analytics.Core.Execution;

namespace Analytics.Superset;

/// <summary>A mart as the catalog knows it: where it lives, what it means and its columns with their types.</summary>
public sealed record MartTable(string Name, string Schema, string Description, IReadOnlyList<ColumnInfo> Columns);

/// <summary>
/// Builds the Growth dashboard bundle from the catalog: the warehouse database (password masked), a dataset per
/// mart (its columns and types, a time column when it has a date, a row count and a sum per numeric column as
/// metrics), the charts of the web UI's /dashboards page, and one dashboard placing every chart with a native
/// time-range filter. UUIDs are stable, so a second import updates the first.
/// </summary>
public static class BundleBuilder
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
        metrics.AddRange(numeric.Select(c => Metric($"sum__{c.Name}", $"SUM({Analytics.Core.Templating.PostgresDialect.Quote(c.Name)})", $"Sum of {c.Name}")));
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

    private static Dictionary<string, object?> Sql(string expression, string label) => new()
    {
        ["expressionType"] = "SQL",
        ["sqlExpression"] = expression,
        ["label"] = label,
    };

    private static Dictionary<string, object?> Where(string column, string value) => new()
    {
        ["expressionType"] = "SIMPLE",
        ["subject"] = column,
        ["operator"] = "==",
        ["comparator"] = value,
        ["clause"] = "WHERE",
    };

    private static Dictionary<string, object?> Params(string viz, params (string Key, object? Value)[] values)
    {
        var result = new Dictionary<string, object?>
        {
            ["viz_type"] = viz,
            ["adhoc_filters"] = new List<object>(),
            ["row_limit"] = 10_000,
            ["time_range"] = "No filter",
        };
        foreach (var (key, value) in values)
        {
            result[key] = value;
        }

        // A temporal x axis is also the chart's time column (granularity_sqla), as Superset's exports write it; the
        // big number with a trend line reads only that one.
        if (result.GetValueOrDefault("time_grain_sqla") is not null && result.GetValueOrDefault("x_axis") is string time)
        {
            result["granularity_sqla"] = time;
        }

        return result;
    }

    /// <summary>The charts of the web UI's /dashboards page, in its order.</summary>
    /// <summary>
    /// Superset's charts for the declared dashboards (assets-sql/dashboards.yml), the same tiles and charts the web UI
    /// draws: a KPI is a big number (with its trend over its time column), a chart the ECharts bar, line or heatmap
    /// viz over the same columns, filters and split; <c>{grain}</c> is the dashboard's first grain.
    /// </summary>
    private static IEnumerable<Chart> Charts(IReadOnlyList<Dashboard> dashboards, IReadOnlyList<MartTable> marts)
    {
        var types = marts.ToDictionary(m => m.Name, m => m.Columns.ToDictionary(c => c.Name, c => c.Type, StringComparer.Ordinal), StringComparer.Ordinal);
        bool Temporal(string mart, string column) => types.GetValueOrDefault(mart)?.GetValueOrDefault(column) is { } type && IsTemporal(type);
        foreach (var dashboard in dashboards)
        {
            var grain = dashboard.Grains.FirstOrDefault() ?? "week";
            string Fill(string text) => text.Replace("{grain}", grain, StringComparison.Ordinal);
            List<object> Filters(IReadOnlyDictionary<string, string> where) => where.Select(w => (object)Where(w.Key, Fill(w.Value))).ToList();
            foreach (var kpi in dashboard.Kpis)
            {
                var label = kpi.Label;
                yield return kpi.Count || kpi.Time is null
                    ? new Chart(kpi.Id, label, "big_number_total", kpi.Mart,
                        Params("big_number_total", ("metric", Sql(kpi.Count ? "COUNT(*)" : $"MAX({Quote(kpi.Column!)})", label)), ("adhoc_filters", Filters(kpi.Where))), 2)
                    : new Chart(kpi.Id, label, "big_number", kpi.Mart,
                        Params("big_number", ("x_axis", kpi.Time), ("time_grain_sqla", kpi.Where.Values.Any(v => v.Contains("{grain}")) ? "P1W" : "P1D"),
                            ("metric", Sql($"MAX({Quote(kpi.Column!)})", label)), ("show_trend_line", true), ("adhoc_filters", Filters(kpi.Where))), 2);
            }

            foreach (var chart in dashboard.Charts)
            {
                var aggregate = chart.Aggregate == "max" ? "MAX" : "SUM";
                string Metric(string column) => column == Analytics.Core.Dashboards.DashboardFile.CountColumn ? "COUNT(*)" : $"{aggregate}({Quote(column)})";
                var width = chart.Wide ? 12 : 4;
                var filters = ("adhoc_filters", (object?)Filters(chart.Where));
                var weekly = chart.Bucket || chart.Where.Values.Any(v => v.Contains("{grain}"));
                var time = Temporal(chart.Mart, chart.X) ? new[] { ("time_grain_sqla", (object?)(weekly ? (grain == "month" ? "P1M" : "P1W") : "P1D")) } : [];
                if (chart.Kind == "heatmap")
                {
                    yield return new Chart(chart.Id, Fill(chart.Title), "heatmap_v2", chart.Mart,
                        Params("heatmap_v2", ("x_axis", chart.X), ("groupby", chart.Y), ("metric", Sql(Metric(chart.Value!), chart.Value!)), filters,
                            ("normalize_across", "heatmap"), ("show_values", false)), width);
                    continue;
                }

                var viz = chart.Kind == "line" ? "echarts_timeseries_line" : "echarts_timeseries_bar";
                var metrics = chart.Split is not null && chart.Value is not null
                    ? [Sql(Metric(chart.Value), chart.Value)]
                    : chart.Series.Select(s => (object)Sql((s.Negate ? "-" : "") + Metric(s.Column), s.Label)).ToList();
                var extra = new List<(string, object?)> { ("x_axis", chart.X), ("metrics", metrics), ("groupby", chart.Split is null ? Array.Empty<string>() : new[] { chart.Split }), filters };
                extra.AddRange(time);
                if (chart.Kind == "hbar")
                {
                    extra.Add(("orientation", "horizontal"));
                }

                if (chart.Kind == "bar" && (chart.Split is not null || chart.Series.Any(s => s.Stack is not null)))
                {
                    extra.Add(("stack", "Stack"));
                }

                yield return new Chart(chart.Id, Fill(chart.Title), viz, chart.Mart, Params(viz, [.. extra]), width);
            }
        }
    }

    private static string Quote(string column) => Analytics.Core.Templating.PostgresDialect.Quote(column);

    private static Dictionary<string, object?> Dashboard(IReadOnlyList<Chart> charts)
    {
        var chartIds = charts.Select((chart, i) => (chart.Key, Id: i + 1)).ToDictionary(c => c.Key, c => c.Id, StringComparer.Ordinal);
        var position = new Dictionary<string, object?>
        {
            ["DASHBOARD_VERSION_KEY"] = "v2",
            ["ROOT_ID"] = new Dictionary<string, object?> { ["type"] = "ROOT", ["id"] = "ROOT_ID", ["children"] = new[] { "GRID_ID" } },
            ["HEADER_ID"] = new Dictionary<string, object?> { ["type"] = "HEADER", ["id"] = "HEADER_ID", ["meta"] = new Dictionary<string, object?> { ["text"] = DashboardTitle } },
        };
        var rows = new List<string>();
        var row = new List<Chart>();
        void Flush()
        {
            if (row.Count == 0)
            {
                return;
            }

            var rowId = $"ROW-{rows.Count + 1}";
            rows.Add(rowId);
            position[rowId] = new Dictionary<string, object?>
            {
                ["type"] = "ROW",
                ["id"] = rowId,
                ["children"] = row.Select(c => $"CHART-{c.Key}").ToList(),
                ["parents"] = new[] { "ROOT_ID", "GRID_ID" },
                ["meta"] = new Dictionary<string, object?> { ["background"] = "BACKGROUND_TRANSPARENT" },
            };
            foreach (var chart in row)
            {
                position[$"CHART-{chart.Key}"] = new Dictionary<string, object?>
                {
                    ["type"] = "CHART",
                    ["id"] = $"CHART-{chart.Key}",
                    ["children"] = Array.Empty<string>(),
                    ["parents"] = new[] { "ROOT_ID", "GRID_ID", rowId },
                    ["meta"] = new Dictionary<string, object?>
                    {
                        // Exports carry the chart's id here; the importer reads it beside the uuid and puts the imported id in its place.
                        ["chartId"] = chartIds[chart.Key],
                        ["uuid"] = SupersetBundle.StableUuid("chart:" + chart.Key).ToString(),
                        ["sliceName"] = chart.Title,
                        ["width"] = chart.Width,
                        ["height"] = chart.Width <= 2 ? 30 : 60,
                    },
                };
            }

            row = [];
        }

        foreach (var chart in charts)
        {
            if (row.Sum(c => c.Width) + chart.Width > 12)
            {
                Flush();
            }

            row.Add(chart);
        }

        Flush();
        position["GRID_ID"] = new Dictionary<string, object?> { ["type"] = "GRID", ["id"] = "GRID_ID", ["children"] = rows, ["parents"] = new[] { "ROOT_ID" } };
        var timeFilter = new Dictionary<string, object?>
        {
            ["id"] = "NATIVE_FILTER-date_range",
            ["name"] = "Date range",
            ["filterType"] = "filter_time",
            ["type"] = "NATIVE_FILTER",
            ["targets"] = new[] { new Dictionary<string, object?>() },
            ["controlValues"] = new Dictionary<string, object?>(),
            ["defaultDataMask"] = new Dictionary<string, object?> { ["filterState"] = new Dictionary<string, object?>(), ["extraFormData"] = new Dictionary<string, object?>() },
            ["cascadeParentIds"] = Array.Empty<string>(),
            ["scope"] = new Dictionary<string, object?> { ["rootPath"] = new[] { "ROOT_ID" }, ["excluded"] = Array.Empty<int>() },
            ["description"] = "Filters every time-series chart",
        };
        return new Dictionary<string, object?>
        {
            ["dashboard_title"] = DashboardTitle,
            ["description"] = "Growth metrics from the analytics marts (generated by `analytics superset bundle`).",
            ["css"] = "",
            ["slug"] = "growth",
            ["uuid"] = SupersetBundle.StableUuid("dashboard:growth").ToString(),
            ["position"] = position,
            ["metadata"] = new Dictionary<string, object?>
            {
                ["timed_refresh_immune_slices"] = Array.Empty<int>(),
                ["expanded_slices"] = new Dictionary<string, object?>(),
                ["refresh_frequency"] = 0,
                ["default_filters"] = "{}",
                ["color_scheme"] = "supersetColors",
                ["native_filter_configuration"] = new[] { timeFilter },
                ["cross_filters_enabled"] = true,
            },
            ["version"] = SupersetBundle.Version,
            ["published"] = true,
        };
    }
}
