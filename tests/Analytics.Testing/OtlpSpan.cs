using System.Text;

namespace Analytics.Testing;

/// <summary>
/// One span of an OTLP/protobuf trace export, decoded by hand (OpenTelemetry.Proto is not served): enough of
/// <c>ExportTraceServiceRequest</c> to check names, parents and string attributes.
/// </summary>
public sealed record OtlpSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, IReadOnlyDictionary<string, string> Attributes,
    string? ServiceName = null)
{
    /// <summary>Every span of one export body.</summary>
    public static List<OtlpSpan> Parse(byte[] export)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(export).Where(f => f.Number == 1))
        {
            // ResourceSpans.resource (1) holds the resource's attributes (1), service.name among them.
            var resource = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var attribute in Fields(resourceSpans.Bytes!).Where(f => f.Number == 1).SelectMany(f => Fields(f.Bytes!)).Where(f => f.Number == 1))
            {
                AddAttribute(resource, attribute.Bytes!);
            }

            var service = resource.GetValueOrDefault("service.name");
            foreach (var scopeSpans in Fields(resourceSpans.Bytes!).Where(f => f.Number == 2))
            {
                spans.AddRange(Fields(scopeSpans.Bytes!).Where(f => f.Number == 2).Select(f => ParseSpan(f.Bytes!) with { ServiceName = service }));
            }
        }

        return spans;
    }

    private static OtlpSpan ParseSpan(byte[] span)
    {
        string traceId = "", spanId = "", name = "";
        string? parent = null;
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in Fields(span))
        {
            switch (field.Number)
            {
                case 1: traceId = Convert.ToHexStringLower(field.Bytes!); break;
                case 2: spanId = Convert.ToHexStringLower(field.Bytes!); break;
                case 4 when field.Bytes!.Length > 0: parent = Convert.ToHexStringLower(field.Bytes); break;
                case 5: name = Encoding.UTF8.GetString(field.Bytes!); break;
                case 9: AddAttribute(attributes, field.Bytes!); break;
            }
        }

        return new OtlpSpan(traceId, spanId, parent, name, attributes);
    }

    /// <summary>A <c>KeyValue</c>: the key (1) and an <c>AnyValue</c> (2) whose string_value is field 1; other kinds are shown as empty.</summary>
    private static void AddAttribute(Dictionary<string, string> attributes, byte[] keyValue)
    {
        var pair = Fields(keyValue).ToList();
        var key = pair.FirstOrDefault(f => f.Number == 1).Bytes;
        var value = pair.FirstOrDefault(f => f.Number == 2).Bytes;
        var text = value is null ? null : Fields(value).FirstOrDefault(f => f.Number == 1).Bytes;
        if (key is not null)
        {
            attributes[Encoding.UTF8.GetString(key)] = text is null ? "" : Encoding.UTF8.GetString(text);
        }
    }

    /// <summary>The fields of one protobuf message: length-delimited ones with their bytes, the rest skipped over.</summary>
    private static IEnumerable<(int Number, byte[]? Bytes)> Fields(byte[] message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var tag = ReadVarint(message, ref position);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0: ReadVarint(message, ref position); yield return (number, null); break;
                case 1: position += 8; yield return (number, null); break;
                case 5: position += 4; yield return (number, null); break;
                case 2:
                    var length = (int)ReadVarint(message, ref position);
                    yield return (number, message[position..(position + length)]);
                    position += length;
                    break;
                default: throw new FormatException($"protobuf wire type {tag & 7} at byte {position} is not one OTLP uses");
            }
        }
    }

    private static ulong ReadVarint(byte[] message, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
