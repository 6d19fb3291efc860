using System.Globalization;
using System.Text;
using Analytics.Core.Ingest;
using Npgsql;

namespace Analytics.Ingest;

/// <summary>
/// One row of a source database as the declared columns' text, written into one reused buffer (no allocation a
/// value), so a database row meets exactly the rules a file's row does. NULL is an empty field.
/// </summary>
internal sealed class DatabaseRecord(IReadOnlyList<string> names)
{
    private char[] _chars = new char[4_096];
    private readonly int[] _starts = new int[names.Count];
    private readonly int[] _lengths = new int[names.Count];
    private int _used;

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
        _used = 0;
        for (var i = 0; i < _starts.Length; i++)
        {
            _starts[i] = _used;
            if (reader.IsDBNull(i))
            {
                _lengths[i] = 0;
                continue;
            }

            var type = reader.GetFieldType(i);
            if (type == typeof(string))
            {
                Append(reader.GetString(i));
            }
            else if (type == typeof(DateTime))
            {
                // timestamptz arrives as UTC; a timestamp without zone is taken as UTC, as a file's would be.
                Format(reader.GetDateTime(i), "yyyy-MM-dd HH:mm:ss.ffffff'Z'");
            }
            else if (type == typeof(decimal))
            {
                Format(reader.GetDecimal(i), null);
            }
            else if (type == typeof(long))
            {
                Format(reader.GetInt64(i), null);
            }
            else if (type == typeof(int))
            {
                Format(reader.GetInt32(i), null);
            }
            else if (type == typeof(short))
            {
                Format(reader.GetInt16(i), null);
            }
            else if (type == typeof(double))
            {
                Format(reader.GetDouble(i), "R");
            }
            else if (type == typeof(bool))
            {
                Append(reader.GetBoolean(i) ? "true" : "false");
            }
            else if (type == typeof(DateOnly))
            {
                Format(reader.GetFieldValue<DateOnly>(i), "yyyy-MM-dd");
            }
            else
            {
                Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture) ?? "");
            }

            _lengths[i] = _used - _starts[i];
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
