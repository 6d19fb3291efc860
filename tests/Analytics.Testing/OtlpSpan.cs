using System.Globalization;
using Analytics.Testing.Otlp;

namespace Analytics.Testing;

/// <summary>
/// One span of an OTLP/protobuf trace export (<c>ExportTraceServiceRequest</c>, parsed by the types protoc generates
/// from <c>otlp_trace.proto</c>): its ids, name, parent, attributes (as text) and its service's name. The spans come
/// from other processes (the CLI, the services), so an in-process exporter cannot stand in for the wire.
/// </summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes,
    string? ServiceName = null)
{
    /// <summary>Every span of one export body.</summary>
    public static List<OtlpSpan> Parse(byte[] export) =>
        ExportTraceServiceRequest.Parser.ParseFrom(export).ResourceSpans
            .SelectMany(resource =>
            {
                var service = Text(resource.Resource?.Attributes ?? []).GetValueOrDefault("service.name");
                return resource.ScopeSpans.SelectMany(scope => scope.Spans).Select(span => new OtlpSpan(
                    Convert.ToHexStringLower(span.TraceId.Span), Convert.ToHexStringLower(span.SpanId.Span),
                    span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span), span.Name, Text(span.Attributes), service));
            })
            .ToList();

    /// <summary>Attributes by key, each value as text (a string as it is, a number or flag in invariant form).</summary>
    private static Dictionary<string, string> Text(IEnumerable<KeyValue> attributes) => attributes
        .GroupBy(a => a.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last().Value switch
        {
            null => "",
            { ValueCase: AnyValue.ValueOneofCase.StringValue } v => v.StringValue,
            { ValueCase: AnyValue.ValueOneofCase.IntValue } v => v.IntValue.ToString(CultureInfo.InvariantCulture),
            { ValueCase: AnyValue.ValueOneofCase.DoubleValue } v => v.DoubleValue.ToString(CultureInfo.InvariantCulture),
            { ValueCase: AnyValue.ValueOneofCase.BoolValue } v => v.BoolValue ? "true" : "false",
            _ => "",
        }, StringComparer.Ordinal);
}
