using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Analytics.Core.Execution;

/// <summary>
/// The engine's spans (a run, a child per asset and per check) and metrics (run and asset durations, rows
/// materialized), on the BCL's ActivitySource and Meter so any OpenTelemetry SDK can export them.
/// </summary>
public static class EngineTelemetry
{
    public const string Name = "Analytics.Engine";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Histogram<double> RunDuration = Meter.CreateHistogram<double>("analytics.run.duration", "s", "Wall time of a run");

    public static readonly Histogram<double> AssetDuration = Meter.CreateHistogram<double>("analytics.asset.duration", "s", "Time to build and check one asset");

    public static readonly Counter<long> RowsMaterialized = Meter.CreateCounter<long>("analytics.asset.rows", "{row}", "Rows written by materializations");
}
