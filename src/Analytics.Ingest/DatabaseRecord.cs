using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Analytics.Core.Ingest;
using Npgsql;

namespace Analytics.Ingest;

/// <summary>
/// One row of a source database as the declared columns' text, written into one reused buffer (no allocation a
/// value), so a database row meets exactly the rules a file's row does. NULL is an empty field. One record reads one
/// query's rows, typed through Npgsql or in binary COPY encoding.
/// </summary>
internal sealed class DatabaseRecord(IReadOnlyList<string> names)
{
    private char[] _chars = new char[4_096];
    private readonly int[] _starts = new int[names.Count];
    private readonly int[] _lengths = new int[names.Count];
    private int _used;
    private Kind[]? _kinds;

    private enum Kind { Other, Text, Timestamp, Decimal, Int64, Int32, Int16, Double, Boolean, Date }

    public int FieldCount => _starts.Length;

    public ReadOnlySpan<char> this[int index] => _chars.AsSpan(_starts[index], _lengths[index]);

    /// <summary>How many characters the row's values took: the extraction's bytes, near enough.</summary>
    public int Length => _used;

    /// <summary>The row as <c>column=value</c> pairs, kept with its reason when it is rejected.</summary>
    public string RawText
    {
        get
        {
            var text = new StringBuilder();
            for (var i = 0; i < names.Count; i++)
            {
                text.Append(i == 0 ? "" : ", ").Append(names[i]).Append('=').Append(this[i]);
            }

            return text.ToString();
        }
    }

    /// <summary>Reads the reader's current row, column i of the reader being declared column i.</summary>
    public void Load(NpgsqlDataReader reader)
    {
        // A record reads one query's rows, whose columns' types are the same on every row: looked up once, not once a value.
        _kinds ??= Enumerable.Range(0, _starts.Length).Select(i => KindOf(reader.GetFieldType(i))).ToArray();

        _used = 0;
        for (var i = 0; i < _starts.Length; i++)
        {
            _starts[i] = _used;
            if (reader.IsDBNull(i))
            {
                _lengths[i] = 0;
                continue;
            }

            switch (_kinds[i])
            {
                case Kind.Text:
                    Append(reader.GetString(i));
                    break;
                case Kind.Timestamp:
                    // timestamptz arrives as UTC; a timestamp without zone is taken as UTC, as a file's would be. Npgsql reads
                    // PostgreSQL's infinities as the ends of DateTime, which read here as their names (and are refused).
                    var at = reader.GetDateTime(i);
                    if (at == DateTime.MaxValue || at == DateTime.MinValue)
                    {
                        Append(at == DateTime.MaxValue ? "infinity" : "-infinity");
                    }
                    else
                    {
                        Timestamp(at);
                    }

                    break;
                case Kind.Decimal:
                    Format(reader.GetDecimal(i), null);
                    break;
                case Kind.Int64:
                    Format(reader.GetInt64(i), null);
                    break;
                case Kind.Int32:
                    Format(reader.GetInt32(i), null);
                    break;
                case Kind.Int16:
                    Format(reader.GetInt16(i), null);
                    break;
                case Kind.Double:
                    Format(reader.GetDouble(i), "R");
                    break;
                case Kind.Boolean:
                    Append(reader.GetBoolean(i) ? "true" : "false");
                    break;
                case Kind.Date:
                    Format(reader.GetFieldValue<DateOnly>(i), "yyyy-MM-dd");
                    break;
                default:
                    Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "");
                    break;
            }

            _lengths[i] = _used - _starts[i];
        }
    }

    /// <summary>
    /// Reads a row that came in PostgreSQL's binary COPY encoding (see <see cref="BinaryPassThrough"/>) as the same text
    /// the typed path gives: field i's payload at <paramref name="starts"/>[i], of <paramref name="lengths"/>[i] bytes, -1 for null.
    /// A value .NET cannot hold (an infinite timestamp or date) reads as its name, which the validator then refuses.
    /// </summary>
    public void Load(ReadOnlySpan<byte> fields, ReadOnlySpan<int> starts, ReadOnlySpan<int> lengths, IReadOnlyList<BinaryPassThrough.Wire> wires)
    {
        _used = 0;
        for (var i = 0; i < _starts.Length; i++)
        {
            _starts[i] = _used;
            if (lengths[i] < 0)
            {
                _lengths[i] = 0;
                continue;
            }

            var value = fields.Slice(starts[i], lengths[i]);
            switch (wires[i])
            {
                case BinaryPassThrough.Wire.Text:
                    Reserve(value.Length);
                    _used += Encoding.UTF8.GetChars(value, _chars.AsSpan(_used));
                    break;
                case BinaryPassThrough.Wire.Timestamp:
                    var micros = BinaryPrimitives.ReadInt64BigEndian(value);
                    if (micros < BinaryPassThrough.MinMicros || micros > BinaryPassThrough.MaxMicros)
                    {
                        Append(micros < 0 ? "-infinity" : "infinity");
                    }
                    else
                    {
                        Timestamp(new DateTime(BinaryPassThrough.PostgresEpochTicks + micros * 10, DateTimeKind.Utc));
                    }

                    break;
                case BinaryPassThrough.Wire.Int16:
                    Format(BinaryPrimitives.ReadInt16BigEndian(value), null);
                    break;
                case BinaryPassThrough.Wire.Int32:
                    Format(BinaryPrimitives.ReadInt32BigEndian(value), null);
                    break;
                case BinaryPassThrough.Wire.Int64:
                    Format(BinaryPrimitives.ReadInt64BigEndian(value), null);
                    break;
                case BinaryPassThrough.Wire.Numeric:
                    Append(BinaryPassThrough.NumericText(value));
                    break;
                case BinaryPassThrough.Wire.Date:
                    var day = BinaryPrimitives.ReadInt32BigEndian(value) + (long)BinaryPassThrough.PostgresEpochDay;
                    if (day is < 0 or > 3_652_058)
                    {
                        Append(day < 0 ? "-infinity" : "infinity");
                    }
                    else
                    {
                        Format(DateOnly.FromDayNumber((int)day), "yyyy-MM-dd");
                    }

                    break;
                default:
                    Append(value[0] != 0 ? "true" : "false");
                    break;
            }

            _lengths[i] = _used - _starts[i];
        }
    }

    private static Kind KindOf(Type type) =>
        type == typeof(string) ? Kind.Text
        : type == typeof(DateTime) ? Kind.Timestamp
        : type == typeof(decimal) ? Kind.Decimal
        : type == typeof(long) ? Kind.Int64
        : type == typeof(int) ? Kind.Int32
        : type == typeof(short) ? Kind.Int16
        : type == typeof(double) ? Kind.Double
        : type == typeof(bool) ? Kind.Boolean
        : type == typeof(DateOnly) ? Kind.Date
        : Kind.Other;

    /// <summary>
    /// <c>yyyy-MM-dd HH:mm:ss.ffffffZ</c>, digit by digit: a custom format string parses itself on every call, and cost
    /// a tenth of an extraction's time.
    /// </summary>
    private void Timestamp(DateTime at)
    {
        Reserve(27);
        var to = _chars.AsSpan(_used, 27);
        Digits(to[..4], at.Year);
        to[4] = '-';
        Digits(to.Slice(5, 2), at.Month);
        to[7] = '-';
        Digits(to.Slice(8, 2), at.Day);
        to[10] = ' ';
        Digits(to.Slice(11, 2), at.Hour);
        to[13] = ':';
        Digits(to.Slice(14, 2), at.Minute);
        to[16] = ':';
        Digits(to.Slice(17, 2), at.Second);
        to[19] = '.';
        Digits(to.Slice(20, 6), (int)(at.Ticks % TimeSpan.TicksPerSecond / 10));
        to[26] = 'Z';
        _used += 27;
    }

    private static void Digits(Span<char> to, int value)
    {
        for (var i = to.Length - 1; i >= 0; i--)
        {
            to[i] = (char)('0' + value % 10);
            value /= 10;
        }
    }

    private void Append(string text)
    {
        Reserve(text.Length);
        text.CopyTo(_chars.AsSpan(_used));
        _used += text.Length;
    }

    private void Format<T>(T value, string? format) where T : ISpanFormattable
    {
        Reserve(64);
        value.TryFormat(_chars.AsSpan(_used), out var written, format, CultureInfo.InvariantCulture);
        _used += written;
    }

    private void Reserve(int chars)
    {
        if (_used + chars > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _used + chars));
        }
    }

    /// <summary>The record as the validator reads it.</summary>
    public Fields AsFields() => new(this);

    public readonly struct Fields(DatabaseRecord record) : ISourceRecord
    {
        public int FieldCount => record.FieldCount;

        public ReadOnlySpan<char> this[int index] => record[index];

        public string RawText => record.RawText;

        public string? Problem => null;
    }
}
