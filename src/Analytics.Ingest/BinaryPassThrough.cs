using System.Buffers.Binary;
using System.Text;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;

namespace Analytics.Ingest;

/// <summary>
/// Checks a source database's rows in PostgreSQL's binary COPY encoding and passes the valid ones on as they are, so
/// a row from PostgreSQL into PostgreSQL is never turned into .NET values and text and back. Only a row the check is
/// sure of passes: one that needs a rule applied to its text (surrounding white space to trim, a value too long in
/// bytes, a value outside accepted values, a pattern or range, a missing required value) goes back to the caller,
/// which reads it as text through <see cref="SourceRowValidator"/>, so both paths give the same rows and the same
/// reasons. A source is read this way only when every declared column's source type is one this class knows
/// (<see cref="For"/>).
/// </summary>
internal sealed class BinaryPassThrough
{
    internal static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    internal static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;
    internal static readonly long MinMicros = (DateTime.MinValue.Ticks - PostgresEpochTicks) / 10;
    internal static readonly long MaxMicros = (DateTime.MaxValue.Ticks - PostgresEpochTicks) / 10;
    private readonly Wire[] _wires;
    private readonly SourceColumn[] _columns;
    private readonly byte[][]?[] _accepted;
    private readonly int _eventTime;
    private readonly EventTimeRange _times;
    private char[] _chars = new char[256];

    /// <summary>How a column's values arrive: the source's type, as far as it matters here.</summary>
    internal enum Wire { Text, Timestamp, Int16, Int32, Int64, Numeric, Date, Boolean }

    private BinaryPassThrough(SourceDeclaration declaration, Wire[] wires, EventTimeRange times)
    {
        _wires = wires;
        _columns = [.. declaration.Columns];
        _accepted = _columns.Select(c => c.AcceptedValues.Count == 0 ? null : c.AcceptedValues.Select(Encoding.UTF8.GetBytes).ToArray()).ToArray();
        _eventTime = declaration.EventTime is { } time ? Array.FindIndex(_columns, c => c.Name == time) : -1;
        _times = times;
    }

    public IReadOnlyList<Wire> Wires => _wires;

    /// <summary>
    /// The pass-through for a declaration whose columns arrive as <paramref name="sourceTypes"/> (PostgreSQL's internal
    /// type names, in declaration order), or null when any column needs the text path: a type not known here, a type that
    /// does not match the declared one as it stands, a conditional rule, a rule other than accepted values and a pattern
    /// on text or a range on integers, or a row identity (computed from the text).
    /// </summary>
    public static BinaryPassThrough? For(SourceDeclaration declaration, IReadOnlyList<string> sourceTypes, EventTimeRange times)
    {
        if (declaration.Identity is not null)
        {
            return null;
        }

        var wires = new Wire[declaration.Columns.Count];
        for (var i = 0; i < wires.Length; i++)
        {
            var column = declaration.Columns[i];
            Wire? wire = (column.Type, sourceTypes[i]) switch
            {
                (SourceColumnType.Text, "text" or "varchar" or "bpchar") => Wire.Text,
                (SourceColumnType.Timestamp, "timestamptz" or "timestamp") => Wire.Timestamp,
                (SourceColumnType.Integer, "int2") => Wire.Int16,
                (SourceColumnType.Integer, "int4") => Wire.Int32,
                (SourceColumnType.Integer, "int8") => Wire.Int64,
                (SourceColumnType.Numeric, "numeric") => Wire.Numeric,
                (SourceColumnType.Date, "date") => Wire.Date,
                (SourceColumnType.Boolean, "bool") => Wire.Boolean,
                _ => null,
            };
            var rulesKnown = wire switch
            {
                Wire.Text => column.Min is null && column.Max is null,
                Wire.Int16 or Wire.Int32 or Wire.Int64 => column.AcceptedValues.Count == 0 && column.Pattern is null,
                _ => !column.HasRules,
            };
            // A max_length on a typed column limits its text, which only the text path has.
            rulesKnown &= wire == Wire.Text || column.MaxLength == SourceDeclaration.MaxFieldLength;
            if (wire is null || !rulesKnown || column.When is not null)
            {
                return null;
            }

            wires[i] = wire.Value;
        }

        return new BinaryPassThrough(declaration, wires, times);
    }

    /// <summary>
    /// Checks one row (<paramref name="fields"/>: the tuple's fields after its field count, <paramref name="starts"/> and
    /// <paramref name="lengths"/> each field's payload, length -1 for null) and writes its fields as the target's COPY
    /// takes them into <paramref name="to"/>; returns the bytes written, or -1 when the row must be read as text.
    /// </summary>
    public int TryPass(ReadOnlySpan<byte> fields, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, Span<byte> to)
    {
        var at = 0;
        for (var c = 0; c < _wires.Length; c++)
        {
            var length = lengths[c];
            var value = length < 0 ? default : fields.Slice(starts[c], length);
            if (length <= 0 && _wires[c] == Wire.Text || length < 0)
            {
                // Null (or empty text, which a file's rules read as missing): fine unless required.
                if (_columns[c].Required)
                {
                    return -1;
                }

                BinaryPrimitives.WriteInt32BigEndian(to[at..], -1);
                at += 4;
                continue;
            }

            switch (_wires[c])
            {
                case Wire.Text:
                    if (!TextPasses(c, value))
                    {
                        return -1;
                    }

                    break;
                case Wire.Timestamp:
                    var micros = BinaryPrimitives.ReadInt64BigEndian(value);
                    if (micros < MinMicros || micros > MaxMicros
                        || c == _eventTime && !_times.Contains(new DateTime(PostgresEpochTicks + micros * 10, DateTimeKind.Utc)))
                    {
                        return -1; // infinity, beyond .NET's calendar, or outside the event-time range: the text path says why
                    }

                    break;
                case Wire.Int16 or Wire.Int32 or Wire.Int64:
                    var integer = _wires[c] switch
                    {
                        Wire.Int16 => BinaryPrimitives.ReadInt16BigEndian(value),
                        Wire.Int32 => BinaryPrimitives.ReadInt32BigEndian(value),
                        _ => BinaryPrimitives.ReadInt64BigEndian(value),
                    };
                    if (integer < _columns[c].Min || integer > _columns[c].Max)
                    {
                        return -1;
                    }

                    // The raw table's integers are bigint.
                    BinaryPrimitives.WriteInt32BigEndian(to[at..], 8);
                    BinaryPrimitives.WriteInt64BigEndian(to[(at + 4)..], integer);
                    at += 12;
                    continue;
                case Wire.Numeric:
                    // NaN and infinities (a sign of 0xC000 and above) are no finite number; more than 28 digits may not fit
                    // a decimal, which the text path would round or refuse.
                    if (value.Length < 8 || BinaryPrimitives.ReadUInt16BigEndian(value[4..]) >= 0xC000 || BinaryPrimitives.ReadInt16BigEndian(value) > 7)
                    {
                        return -1;
                    }

                    break;
                case Wire.Date:
                    var days = BinaryPrimitives.ReadInt32BigEndian(value);
                    if (days + (long)PostgresEpochDay is < 0 or > 3_652_058)
                    {
                        return -1; // infinity, or beyond .NET's calendar
                    }

                    break;
            }

            BinaryPrimitives.WriteInt32BigEndian(to[at..], length);
            value.CopyTo(to[(at + 4)..]);
            at += 4 + length;
        }

        return at;
    }

    /// <summary>Whether a text value is sure to be valid and loaded as it is: no white space to trim, not too long, accepted, matching.</summary>
    private bool TextPasses(int c, ReadOnlySpan<byte> value)
    {
        // A byte of 0x80 or more may start or end a multi-byte white space (no-break space, ...): the text path decides.
        if (IsSpaceOrWide(value[0]) || IsSpaceOrWide(value[^1]) || value.Length > _columns[c].MaxLength)
        {
            return false;
        }

        if (_accepted[c] is { } accepted && !IsOneOf(accepted, value))
        {
            return false;
        }

        if (_columns[c].Pattern is { } pattern)
        {
            if (_chars.Length < value.Length)
            {
                _chars = new char[value.Length * 2];
            }

            var count = Encoding.UTF8.GetChars(value, _chars);
            return pattern.Regex.IsMatch(_chars.AsSpan(0, count));
        }

        return true;
    }

    private static bool IsSpaceOrWide(byte b) => b is (>= 0x09 and <= 0x0D) or 0x20 or >= 0x80;

    private static bool IsOneOf(byte[][] accepted, ReadOnlySpan<byte> value)
    {
        foreach (var known in accepted)
        {
            if (value.SequenceEqual(known))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// PostgreSQL's numeric as its own text: base-10000 digit groups, the first group's weight, the sign, and the display
    /// scale (digits after the point, zeros padded); NaN and the infinities by name.
    /// </summary>
    public static string NumericText(ReadOnlySpan<byte> value)
    {
        var to = new StringBuilder();
        var groups = BinaryPrimitives.ReadInt16BigEndian(value);
        var weight = BinaryPrimitives.ReadInt16BigEndian(value[2..]);
        var sign = BinaryPrimitives.ReadUInt16BigEndian(value[4..]);
        var scale = BinaryPrimitives.ReadInt16BigEndian(value[6..]);
        switch (sign)
        {
            case 0xC000:
                return "NaN";
            case 0xD000:
                return "Infinity";
            case 0xF000:
                return "-Infinity";
            case 0x4000:
                to.Append('-');
                break;
        }

        var digits = value[8..];

        // Integer part: groups 0..weight (at least one digit).
        if (weight < 0)
        {
            to.Append('0');
        }
        else
        {
            to.Append(Group(digits, groups, 0));
            for (var i = 1; i <= weight; i++)
            {
                to.Append(Group(digits, groups, i).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (scale <= 0)
        {
            return to.ToString();
        }

        to.Append('.');
        var fraction = new StringBuilder();
        for (var i = weight + 1; fraction.Length < scale; i++)
        {
            fraction.Append(Group(digits, groups, i).ToString("D4", System.Globalization.CultureInfo.InvariantCulture));
        }

        return to.Append(fraction.ToString(0, scale)).ToString();
    }

    /// <summary>Digit group <paramref name="i"/> (0 the first), zero beyond the stored ones.</summary>
    private static short Group(ReadOnlySpan<byte> digits, int groups, int i) => i >= 0 && i < groups ? BinaryPrimitives.ReadInt16BigEndian(digits[(2 * i)..]) : (short)0;
}
