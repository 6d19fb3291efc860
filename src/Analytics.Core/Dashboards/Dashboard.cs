using System.Text.Json.Serialization;

namespace Analytics.Core.Dashboards;

/// <summary>
/// A dashboard of <c>assets-sql/dashboards.yml</c>: its KPI tiles and charts, each reading one mart. The web UI draws
/// it and <c>analytics superset bundle</c> builds Superset's charts from it; nothing else declares a chart.
/// </summary>
public sealed record Dashboard(string Name, string Title, IReadOnlyList<string> Grains, IReadOnlyList<DashboardKpi> Kpis, IReadOnlyList<DashboardChart> Charts);

/// <summary>
/// A KPI tile: <see cref="Column"/> of the mart's first row in <see cref="Order"/> (or, with <see cref="Count"/>, how
/// many rows match), shown in <see cref="Format"/>, with a note whose <c>{column}</c> and <c>{grain}</c> are filled in.
/// </summary>
public sealed record DashboardKpi(
    string Id, string Label, string Mart, string? Column, string? Order, string? Time, IReadOnlyDictionary<string, string> Where, string Format,
    string Note, bool Count)
{
    /// <summary>Where the tile is declared in the file, for messages.</summary>
    [JsonIgnore]
    public int Line { get; init; }
}

/// <summary>
/// A chart over one mart. <see cref="Kind"/>: <c>bar</c>, <c>line</c>, <c>hbar</c> (horizontal bars) or
/// <c>heatmap</c>. Its rows are read with <see cref="Where"/> (a value of <c>{grain}</c> is the chosen grain),
/// <see cref="Time"/> filtered by the date range, and <see cref="GroupBy"/> (then a <c>count</c> column) when given;
/// the x axis is <see cref="X"/> (its dates bucketed to the grain with <see cref="Bucket"/>), and each of
/// <see cref="Series"/> is one column, or with <see cref="Split"/> one series per value of that column carrying
/// <see cref="Value"/>. A heatmap's rows are <see cref="Y"/>, its cells <see cref="Value"/>.
/// </summary>
public sealed record DashboardChart(
    string Id, string Title, string Mart, string Kind, string X, string? Y, string? Value, string? Split, string? Time, bool Bucket,
    IReadOnlyList<string> GroupBy, IReadOnlyDictionary<string, string> Where, string? Order, IReadOnlyList<DashboardSeries> Series, string Format,
    string? YName, string? RightName, bool Wide, bool SortByTotal, string Aggregate)
{
    /// <summary>Where the chart is declared in the file, for messages.</summary>
    [JsonIgnore]
    public int Line { get; init; }

    /// <summary>Every mart column the chart reads.</summary>
    [JsonIgnore]
    public IEnumerable<string> Columns =>
        new[] { X, Y, Value, Split, Time, Order?.TrimStart('-') }.OfType<string>()
            .Concat(GroupBy).Concat(Where.Keys).Concat(Series.Select(s => s.Column))
            .Where(c => c != Dashboards.DashboardFile.CountColumn).Distinct(StringComparer.Ordinal);
}

/// <summary>One series of a chart: a column, its label, bar or line, the left or right axis, a stack, drawn negative, dashed.</summary>
public sealed record DashboardSeries(string Column, string Label, string Kind, string Axis, string? Stack, bool Negate, bool Dashed);
