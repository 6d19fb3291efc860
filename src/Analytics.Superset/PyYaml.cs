using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace Analytics.Superset;

/// <summary>A plain YAML scalar PyYAML reads as a <c>datetime</c>, not text (its text kept, for messages).</summary>
public sealed record YamlTimestamp(string Text);

/// <summary>
/// YAML as Superset reads it: PyYAML's <c>safe_load</c>, which types a plain (unquoted) scalar by YAML 1.1's implicit
/// resolvers, so <c>2025-01-01T00:00:00+00:00</c> is a datetime, <c>on</c> a bool and <c>012</c> an octal int. Loads a
/// document to maps, lists and typed scalars the way PyYAML would; and writes strings quoted wherever PyYAML would
/// otherwise read them as something else.
/// </summary>
public static partial class PyYaml
{
    /// <summary>PyYAML's implicit type of a plain scalar: str, bool, int, float, null, timestamp or merge.</summary>
    public static string ImplicitType(string plain) =>
        BoolPattern().IsMatch(plain) ? "bool"
        : FloatPattern().IsMatch(plain) ? "float"
        : IntPattern().IsMatch(plain) ? "int"
        : plain is "<<" ? "merge"
        : plain is "~" or "null" or "Null" or "NULL" or "" ? "null"
        : TimestampPattern().IsMatch(plain) ? "timestamp"
        : plain is "=" ? "value"
        : "str";

    /// <summary>
    /// The document as PyYAML loads it: <see cref="Dictionary{TKey,TValue}"/> of string keys, <see cref="List{T}"/>,
    /// string, bool, long, double, <see cref="YamlTimestamp"/> or null. Throws <see cref="YamlException"/> when it does not parse.
    /// </summary>
    public static object? Load(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : Convert(stream.Documents[0].RootNode);
    }

    /// <summary>A serializer whose strings are quoted whenever PyYAML would read them plain as another type.</summary>
    public static ISerializer Serializer() => new SerializerBuilder()
        .DisableAliases()
        .WithEventEmitter(next => new QuotingEmitter(next))
        .Build();

    private static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(kv => Convert(kv.Key)?.ToString() ?? "", kv => Convert(kv.Value), StringComparer.Ordinal),
        YamlSequenceNode list => list.Children.Select(Convert).ToList(),
        YamlScalarNode scalar => Scalar(scalar),
        _ => null,
    };

    private static object? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain || !scalar.Tag.IsEmpty)
        {
            return text;
        }

        return ImplicitType(text) switch
        {
            "null" => null,
            "bool" => text[0] is 'y' or 'Y' or 't' or 'T' || text is "on" or "On" or "ON",
            "int" => Integer(text.Replace("_", "")),
            "float" => double.TryParse(text.Replace("_", ""), System.Globalization.CultureInfo.InvariantCulture, out var f) ? f : double.NaN,
            "timestamp" => new YamlTimestamp(text),
            _ => text,
        };
    }

    /// <summary>
    /// An int as PyYAML's constructor reads it: a sign, then 0b binary, 0x hex, a leading 0 octal, a:b:c base 60, or
    /// decimal; a long where it fits, else a <see cref="System.Numerics.BigInteger"/> (Python's ints have no limit).
    /// </summary>
    private static object Integer(string text)
    {
        var sign = text[0] == '-' ? -1 : 1;
        var digits = text.TrimStart('+', '-');
        var (numerals, radix) = digits.Contains(':') ? (digits, 60)
            : digits.StartsWith("0b", StringComparison.Ordinal) ? (digits[2..], 2)
            : digits.StartsWith("0x", StringComparison.Ordinal) ? (digits[2..], 16)
            : digits.Length > 1 && digits[0] == '0' ? (digits[1..], 8)
            : (digits, 10);
        var value = System.Numerics.BigInteger.Zero;
        foreach (var part in radix == 60 ? numerals.Split(':') : numerals.Select(c => c.ToString()))
        {
            value = value * radix + (radix == 60 ? System.Numerics.BigInteger.Parse(part, System.Globalization.CultureInfo.InvariantCulture) : System.Convert.ToInt32(part, 16));
        }

        value *= sign;
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private sealed class QuotingEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && ImplicitType(text) != "str")
            {
                eventInfo.Style = ScalarStyle.DoubleQuoted;
            }

            base.Emit(eventInfo, emitter);
        }
    }

    // PyYAML's resolver.py, YAML 1.1: these decide what a plain scalar is.
    [GeneratedRegex("^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$")]
    private static partial Regex BoolPattern();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex("^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$")]
    private static partial Regex TimestampPattern();
}
