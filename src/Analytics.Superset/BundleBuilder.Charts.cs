using Analytics.Core.Dashboards;

namespace Analytics.Superset;

/// <summary>The charts: each chart of the dashboards file as Superset's form data (its viz type, metrics, filters and time range).</summary>
public static partial class BundleBuilder
{
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

    private static string Quote(string column) => Analytics.Warehouse.Postgres.PostgresDialect.Quote(column);
}
