using System.Globalization;
using Google.Protobuf;
using Opentelemetry.Proto.Collector.Logs.V1;
using Opentelemetry.Proto.Collector.Metrics.V1;
using Opentelemetry.Proto.Collector.Trace.V1;
using Opentelemetry.Proto.Common.V1;

namespace Analytics.Dashboard;

/// <summary>A finished span as the pages show it; times are Unix nanoseconds.</summary>
public sealed record SpanView(
    string TraceId, string SpanId, string? ParentId, string Name, string Kind, ulong Start, ulong End,
    string Resource, string Scope, IReadOnlyDictionary<string, string> Attributes, bool Error, string? StatusMessage);

/// <summary>A structured log record.</summary>
public sealed record LogView(long Sequence, ulong Time, string Resource, string Level, string Category, string Message,
    IReadOnlyDictionary<string, string> Attributes, string? TraceId, string? SpanId);

/// <summary>One point of a metric series: a gauge or sum's value, or a histogram's count and sum.</summary>
public sealed record MetricPoint(ulong Time, double Value, ulong Count, double Sum);

/// <summary>A metric of one resource, with one series per attribute set.</summary>
public sealed record MetricSeries(string Resource, string Name, string Unit, string Kind, string Labels)
{
    public List<MetricPoint> Points { get; } = [];
}

/// <summary>
/// What the OTLP receiver has kept: bounded per signal (the oldest go first), so a long session cannot grow the
/// AppHost without limit. Spans are kept whole per trace: when the span limit is passed, the oldest traces go.
/// </summary>
public sealed class TelemetryStore(int maxSpans = 100_000, int maxLogs = 50_000, int maxSeries = 2_000, int maxPointsPerSeries = 720)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<SpanView>> _traces = new(StringComparer.Ordinal);
    private readonly LinkedList<string> _traceOrder = new();
    private readonly Queue<LogView> _logs = new();
    private readonly Dictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);
    private int _spanCount;
    private long _logSequence;

    public int MaxSpans => maxSpans;

    public int SpanCount
    {
        get
        {
            lock (_lock)
            {
                return _spanCount;
            }
        }
    }

    /// <summary>Keeps the spans of an OTLP export; returns how many.</summary>
    public int Add(ExportTraceServiceRequest request)
    {
        var added = 0;
        lock (_lock)
        {
            foreach (var resourceSpans in request.ResourceSpans)
            {
                var resource = ResourceName(resourceSpans.Resource?.Attributes);
                foreach (var scope in resourceSpans.ScopeSpans)
                {
                    foreach (var span in scope.Spans)
                    {
                        var traceId = Hex(span.TraceId);
                        if (!_traces.TryGetValue(traceId, out var spans))
                        {
                            _traces[traceId] = spans = [];
                            _traceOrder.AddLast(traceId);
                        }

                        spans.Add(new SpanView(traceId, Hex(span.SpanId), span.ParentSpanId.IsEmpty ? null : Hex(span.ParentSpanId), span.Name,
                            span.Kind.ToString().Replace("SpanKind", "", StringComparison.Ordinal), span.StartTimeUnixNano, span.EndTimeUnixNano,
                            resource, scope.Scope?.Name ?? "", Attributes(span.Attributes),
                            span.Status?.Code == Opentelemetry.Proto.Trace.V1.Status.Types.StatusCode.Error, NullIfEmpty(span.Status?.Message)));
                        added++;
                    }
                }
            }

            _spanCount += added;
            while (_spanCount > maxSpans && _traceOrder.First is { } oldest)
            {
                _spanCount -= _traces[oldest.Value].Count;
                _traces.Remove(oldest.Value);
                _traceOrder.RemoveFirst();
            }
        }

        return added;
    }

    public int Add(ExportLogsServiceRequest request)
    {
        var added = 0;
        lock (_lock)
        {
            foreach (var resourceLogs in request.ResourceLogs)
            {
                var resource = ResourceName(resourceLogs.Resource?.Attributes);
                foreach (var scope in resourceLogs.ScopeLogs)
                {
                    foreach (var record in scope.LogRecords)
                    {
                        var attributes = Attributes(record.Attributes);
                        // The .NET exporter puts the logger's category in the scope name; the message in the body.
                        _logs.Enqueue(new LogView(++_logSequence, record.TimeUnixNano != 0 ? record.TimeUnixNano : record.ObservedTimeUnixNano,
                            resource, Level(record.SeverityNumber, record.SeverityText), scope.Scope?.Name ?? "", Text(record.Body), attributes,
                            record.TraceId.IsEmpty ? null : Hex(record.TraceId), record.SpanId.IsEmpty ? null : Hex(record.SpanId)));
                        added++;
                    }
                }
            }

            while (_logs.Count > maxLogs)
            {
                _logs.Dequeue();
            }
        }

        return added;
    }

    public int Add(ExportMetricsServiceRequest request)
    {
        var added = 0;
        lock (_lock)
        {
            foreach (var resourceMetrics in request.ResourceMetrics)
            {
                var resource = ResourceName(resourceMetrics.Resource?.Attributes);
                foreach (var metric in resourceMetrics.ScopeMetrics.SelectMany(s => s.Metrics))
                {
                    switch (metric.DataCase)
                    {
                        case Opentelemetry.Proto.Metrics.V1.Metric.DataOneofCase.Gauge:
                            foreach (var p in metric.Gauge.DataPoints)
                            {
                                added += AddPoint(resource, metric, "gauge", p.Attributes, new MetricPoint(p.TimeUnixNano, Number(p), 0, 0));
                            }

                            break;
                        case Opentelemetry.Proto.Metrics.V1.Metric.DataOneofCase.Sum:
                            foreach (var p in metric.Sum.DataPoints)
                            {
                                added += AddPoint(resource, metric, metric.Sum.IsMonotonic ? "counter" : "updown", p.Attributes, new MetricPoint(p.TimeUnixNano, Number(p), 0, 0));
                            }

                            break;
                        case Opentelemetry.Proto.Metrics.V1.Metric.DataOneofCase.Histogram:
                            foreach (var p in metric.Histogram.DataPoints)
                            {
                                added += AddPoint(resource, metric, "histogram", p.Attributes,
                                    new MetricPoint(p.TimeUnixNano, p.Count == 0 ? 0 : p.Sum / p.Count, p.Count, p.Sum));
                            }

                            break;
                    }
                }
            }
        }

        return added;
    }

    private int AddPoint(string resource, Opentelemetry.Proto.Metrics.V1.Metric metric, string kind,
        Google.Protobuf.Collections.RepeatedField<KeyValue> attributes, MetricPoint point)
    {
        var labels = string.Join(", ", attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => $"{a.Key}={Text(a.Value)}"));
        var key = $"{resource}\n{metric.Name}\n{labels}";
        if (!_series.TryGetValue(key, out var series))
        {
            if (_series.Count >= maxSeries)
            {
                return 0;
            }

            _series[key] = series = new MetricSeries(resource, metric.Name, metric.Unit, kind, labels);
        }

        series.Points.Add(point);
        if (series.Points.Count > maxPointsPerSeries)
        {
            series.Points.RemoveRange(0, series.Points.Count - maxPointsPerSeries);
        }

        return 1;
    }

    /// <summary>The newest traces first: their root span (or earliest), span count, duration, and whether any span failed.</summary>
    /// <remarks>
    /// Traces made only of database spans (the workers' queue polls, the sensor's sweeps: hundreds a minute) are
    /// background and left out unless <paramref name="background"/> asks for them.
    /// </remarks>
    public IReadOnlyList<object> Traces(string? resource, int limit, bool background = false)
    {
        lock (_lock)
        {
            return _traceOrder.Reverse()
                .Select(id => _traces[id])
                .Where(spans => resource is null || spans.Any(s => s.Resource == resource))
                .Where(spans => background || spans.Any(s => s.Scope != "Npgsql"))
                .Take(limit)
                .Select(spans =>
                {
                    var root = spans.FirstOrDefault(s => s.ParentId is null || spans.All(o => o.SpanId != s.ParentId)) ?? spans[0];
                    var start = spans.Min(s => s.Start);
                    var end = spans.Max(s => s.End);
                    return (object)new
                    {
                        trace_id = root.TraceId,
                        name = root.Name,
                        resource = root.Resource,
                        start = start,
                        duration_ms = (end - start) / 1e6,
                        spans = spans.Count,
                        resources = spans.Select(s => s.Resource).Distinct().Order().ToList(),
                        error = spans.Any(s => s.Error),
                    };
                })
                .ToList();
        }
    }

    public IReadOnlyList<SpanView>? Trace(string traceId)
    {
        lock (_lock)
        {
            return _traces.TryGetValue(traceId, out var spans) ? spans.OrderBy(s => s.Start).ToList() : null;
        }
    }

    public IReadOnlyList<LogView> Logs(string? resource, string? minimumLevel, string? search, long after, int limit)
    {
        var floor = Array.IndexOf(LevelNames, minimumLevel ?? "trace");
        lock (_lock)
        {
            return _logs.Where(l => l.Sequence > after && (resource is null || l.Resource == resource)
                                    && Array.IndexOf(LevelNames, l.Level) >= floor
                                    && (search is null || l.Message.Contains(search, StringComparison.OrdinalIgnoreCase)
                                        || l.Category.Contains(search, StringComparison.OrdinalIgnoreCase)))
                .TakeLast(limit).ToList();
        }
    }

    /// <summary>Every series (without points), for the metric picker.</summary>
    public IReadOnlyList<object> MetricNames()
    {
        lock (_lock)
        {
            return _series.Values.GroupBy(s => (s.Resource, s.Name))
                .OrderBy(g => g.Key.Resource, StringComparer.Ordinal).ThenBy(g => g.Key.Name, StringComparer.Ordinal)
                .Select(g => (object)new { resource = g.Key.Resource, name = g.Key.Name, unit = g.First().Unit, kind = g.First().Kind, series = g.Count() })
                .ToList();
        }
    }

    public IReadOnlyList<object> Metric(string resource, string name)
    {
        lock (_lock)
        {
            return _series.Values.Where(s => s.Resource == resource && s.Name == name)
                .Select(s => (object)new
                {
                    labels = s.Labels, unit = s.Unit, kind = s.Kind,
                    points = s.Points.Select(p => new { t = p.Time / 1_000_000, v = p.Value, count = p.Count, sum = p.Sum }).ToList(),
                })
                .ToList();
        }
    }

    public static readonly string[] LevelNames = ["trace", "debug", "information", "warning", "error", "critical"];

    private static string Level(Opentelemetry.Proto.Logs.V1.SeverityNumber number, string text) => (int)number switch
    {
        >= 21 => "critical",
        >= 17 => "error",
        >= 13 => "warning",
        >= 9 => "information",
        >= 5 => "debug",
        >= 1 => "trace",
        _ => text.Length > 0 ? text.ToLowerInvariant() : "information",
    };

    /// <summary><c>service.name</c>, with <c>service.instance.id</c> when the AppHost set one per replica (worker-0).</summary>
    private static string ResourceName(Google.Protobuf.Collections.RepeatedField<KeyValue>? attributes)
    {
        string? Find(string key) => attributes?.FirstOrDefault(a => a.Key == key) is { } kv ? Text(kv.Value) : null;
        return Find("service.instance.id") is { Length: > 0 } instance && instance.Contains('-', StringComparison.Ordinal) ? instance
            : Find("service.name") ?? "unknown";
    }

    private static Dictionary<string, string> Attributes(Google.Protobuf.Collections.RepeatedField<KeyValue> attributes)
    {
        var map = new Dictionary<string, string>(attributes.Count, StringComparer.Ordinal);
        foreach (var a in attributes)
        {
            map[a.Key] = Text(a.Value);
        }

        return map;
    }

    private static string Text(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue.ToString(CultureInfo.InvariantCulture),
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue ? "true" : "false",
        AnyValue.ValueOneofCase.ArrayValue => "[" + string.Join(", ", value.ArrayValue.Values.Select(Text)) + "]",
        AnyValue.ValueOneofCase.KvlistValue => "{" + string.Join(", ", value.KvlistValue.Values.Select(kv => $"{kv.Key}={Text(kv.Value)}")) + "}",
        AnyValue.ValueOneofCase.BytesValue => Convert.ToHexStringLower(value.BytesValue.Span),
        _ => "",
    };

    private static double Number(Opentelemetry.Proto.Metrics.V1.NumberDataPoint p) =>
        p.ValueCase == Opentelemetry.Proto.Metrics.V1.NumberDataPoint.ValueOneofCase.AsInt ? p.AsInt : p.AsDouble;

    private static string Hex(ByteString bytes) => Convert.ToHexStringLower(bytes.Span);

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
