using System.Globalization;
using System.Runtime.InteropServices;
using Analytics.Core.Sources;

namespace Analytics.Core.Ingest;

/// <summary>
/// Applies a source's declared rules to one record: the type of each column, then (on the rows they apply to) required,
/// accepted values, pattern, length and range, in declaration order; the first broken rule is the row's reason.
/// Repeated text (event types, platforms, user ids) is interned so a large file allocates little.
/// </summary>
public sealed class SourceRowValidator
{
    private const int MaxInterned = 1 << 20;
    private readonly SourceDeclaration _source;
    private readonly SourceColumn[] _columns;
    private readonly SourceColumnType[] _types;
    private readonly int[] _map;
    private readonly int? _expectedFields;
    private readonly EventTimeRange _times;
    private readonly int _eventTime;
    private readonly int[] _conditions;
    private readonly int[] _identity;
    private readonly int[] _identityWhenPresent;
    private readonly int[] _identityForFile;
    private readonly bool[] _hasRules;
    private readonly string[]?[] _accepted;
    private readonly string[]?[] _when;
    private readonly int[] _fieldLimits;
    private readonly string[] _fieldNames;
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    /// <param name="columnMap">For each declared column, the index of its field in a record, or -1 when the file lacks it.</param>
    /// <param name="fieldCount">How many fields every record must have (the header's count), or null when records vary (JSON lines).</param>
    public SourceRowValidator(SourceDeclaration source, int[] columnMap, int? fieldCount, EventTimeRange? times = null)
    {
        _source = source;
        _columns = [.. source.Columns];
        _types = _columns.Select(c => c.Type).ToArray();
        _map = columnMap;
        _expectedFields = fieldCount;
        _times = times ?? EventTimeRange.Default;
        _eventTime = source.EventTime is { } time ? IndexOf(time) : -1;
        _hasRules = _columns.Select(c => c.HasRules).ToArray();
        // Arrays, not the declaration's lists: a foreach over an IReadOnlyList allocates its enumerator, once a row.
        _accepted = _columns.Select(c => c.AcceptedValues.Count > 0 ? c.AcceptedValues.ToArray() : null).ToArray();
        _when = _columns.Select(c => c.When?.Values.ToArray()).ToArray();
        _conditions = _columns.Select(c => c.When is { } when ? IndexOf(when.Column) : -1).ToArray();
        _identity = source.Identity?.Hash.Select(IndexOf).ToArray() ?? [];
        _identityWhenPresent = source.Identity?.HashWhenPresent.Select(IndexOf).ToArray() ?? [];
        _identityForFile = [.. _identity, .. _identityWhenPresent.Where(c => columnMap[c] >= 0)];
        var fields = Math.Max(fieldCount ?? 0, columnMap.DefaultIfEmpty(-1).Max() + 1);
        _fieldLimits = Enumerable.Repeat(SourceDeclaration.MaxFieldLength, fields).ToArray();
        _fieldNames = Enumerable.Range(0, fields).Select(i => $"field {i + 1}").ToArray();
        for (var c = 0; c < _columns.Length; c++)
        {
            if (columnMap[c] >= 0)
            {
                _fieldLimits[columnMap[c]] = _columns[c].MaxLength;
                _fieldNames[columnMap[c]] = _columns[c].Name;
            }
        }

        _lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private int IndexOf(string column) => Array.FindIndex(_columns, c => c.Name == column);

    /// <summary>Returns null and fills <paramref name="row"/> when the record is valid, else the reason it is rejected.</summary>
    /// <remarks>Generic so a struct record (see <see cref="CsvFields"/>) is read without an interface call a field.</remarks>
    public string? Validate<TRecord>(TRecord record, SourceRow row) where TRecord : ISourceRecord
    {
        if (record.Problem is { } problem)
        {
            return problem;
        }

        if (_expectedFields is { } expected && record.FieldCount != expected)
        {
            return record.FieldCount == 1 && record[0].IsWhiteSpace() ? "empty line" : $"expected {expected} fields, found {record.FieldCount}";
        }

        var count = record.FieldCount;
        for (var i = 0; i < count; i++)
        {
            var field = record[i];
            if (field.Contains('\0'))
            {
                return $"field {i + 1} contains a NUL character, which no text column can hold";
            }

            var limit = i < _fieldLimits.Length ? _fieldLimits[i] : SourceDeclaration.MaxFieldLength;
            if (field.Length > limit)
            {
                var name = i < _fieldNames.Length ? _fieldNames[i] : $"field {i + 1}";
                return $"{name} is {field.Length:N0} characters long; at most {limit:N0} are loaded";
            }
        }

        var values = row.Values;
        for (var c = 0; c < _columns.Length; c++)
        {
            var reason = Column(record, c, ref values[c]);
            if (reason is not null)
            {
                return reason;
            }
        }

        if (_identity.Length > 0)
        {
            row.Id = RowIdentity.Compute(_types, Identity(record), values);
        }

        return null;
    }

    private ReadOnlySpan<int> Identity<TRecord>(TRecord record) where TRecord : ISourceRecord
    {
        if (_identityWhenPresent.Length == 0 || _expectedFields is not null)
        {
            // A file with a header has or lacks each column for all its rows.
            return _identityForFile;
        }

        var present = _identityWhenPresent.Where(c => _map[c] >= 0 && record.Has(_map[c]));
        return _identity.Concat(present).ToArray();
    }

    private string? Column<TRecord>(TRecord record, int c, ref FieldValue value) where TRecord : ISourceRecord
    {
        var column = _columns[c];
        var text = Field(record, c);
        // A conditional column's rules hold only on the rows its condition picks; elsewhere a bad value loads as null.
        string? condition = null;
        if (_conditions[c] >= 0)
        {
            var on = Field(record, _conditions[c]);
            foreach (var candidate in _when[c]!)
            {
                if (on.SequenceEqual(candidate))
                {
                    condition = candidate;
                    break;
                }
            }
        }

        var strict = column.When is null || condition is not null;
        value = FieldValue.Null;
        if (text.IsEmpty)
        {
            return strict && column.Required ? condition is null ? $"{column.Name} is missing" : $"{column.Name} is missing for {condition}" : null;
        }

        var reason = Parse(column, _accepted[c], text, ref value, out var unaccepted);
        if (reason is not null)
        {
            value = FieldValue.Null;
            return strict ? reason : null;
        }

        if (c == _eventTime && !_times.Contains(new DateTime(value.Long, DateTimeKind.Utc)))
        {
            return _times.Refusal(new DateTime(value.Long, DateTimeKind.Utc), column.Name);
        }

        return strict && _hasRules[c] ? Rules(column, text, in value, unaccepted) : null;
    }

    private string? Parse(SourceColumn column, string[]? accepted, ReadOnlySpan<char> text, ref FieldValue value, out bool unaccepted)
    {
        unaccepted = false;
        switch (column.Type)
        {
            case SourceColumnType.Text:
                var known = accepted is null ? null : Accepted(accepted, text);
                unaccepted = accepted is not null && known is null;
                value = new FieldValue { Text = known ?? Intern(text) };
                return null;
            case SourceColumnType.Timestamp:
                if (!TimestampParser.TryParse(text, out var utc))
                {
                    return $"{column.Name} '{text}' is not a valid ISO 8601 date and time";
                }

                value = new FieldValue { Long = utc.Ticks };
                return null;
            case SourceColumnType.Numeric:
                if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return $"{column.Name} '{text}' is not a finite number";
                }

                value = new FieldValue { Decimal = number };
                return null;
            case SourceColumnType.Integer:
                if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                {
                    return $"{column.Name} '{text}' is not a whole number";
                }

                value = new FieldValue { Long = integer, Decimal = integer };
                return null;
            case SourceColumnType.Date:
                // A date, or a timestamp at midnight (what a spreadsheet's date cell reads as).
                if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    || (TimestampParser.TryParse(text, out var midnight) && midnight.TimeOfDay == TimeSpan.Zero && (date = DateOnly.FromDateTime(midnight)) != default))
                {
                    value = new FieldValue { Long = date.DayNumber };
                    return null;
                }

                return $"{column.Name} '{text}' is not a date (YYYY-MM-DD)";
            default:
                value = text switch
                {
                    _ when text.Equals("true", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("1") => new FieldValue { Long = 1 },
                    _ when text.Equals("false", StringComparison.OrdinalIgnoreCase) || text.SequenceEqual("0") => new FieldValue { Long = 0 },
                    _ => FieldValue.Null,
                };
                return value.IsNull ? $"{column.Name} '{text}' is not true or false" : null;
        }
    }

    private static string? Rules(SourceColumn column, ReadOnlySpan<char> text, in FieldValue value, bool unaccepted)
    {
        if (unaccepted)
        {
            return $"{column.Name} '{text}' is not one of {string.Join(", ", column.AcceptedValues)}";
        }

        if (column.Pattern is { } pattern && !pattern.Regex.IsMatch(text))
        {
            return $"{column.Name} '{text}' is not {pattern.Means}";
        }

        if (column.Min is not null || column.Max is not null)
        {
            var number = value.Decimal;
            if (number < column.Min)
            {
                return column.Min == 0 ? $"{column.Name} {text} is negative" : $"{column.Name} {text} is below the minimum, {column.Min}";
            }

            if (number > column.Max)
            {
                return $"{column.Name} {text} is above the maximum, {column.Max}";
            }
        }

        return null;
    }

    private static string? Accepted(string[] accepted, ReadOnlySpan<char> text)
    {
        foreach (var known in accepted)
        {
            if (text.SequenceEqual(known))
            {
                return known;
            }
        }

        return null;
    }

    private ReadOnlySpan<char> Field<TRecord>(TRecord record, int column) where TRecord : ISourceRecord =>
        _map[column] < 0 || _map[column] >= record.FieldCount ? [] : record[_map[column]].Trim();

    private string Intern(ReadOnlySpan<char> value)
    {
        if (_lookup.TryGetValue(value, out var existing))
        {
            return existing;
        }

        var text = value.ToString();
        if (_interned.Count < MaxInterned)
        {
            CollectionsMarshal.GetValueRefOrAddDefault(_interned, text, out _) = text;
        }

        return text;
    }
}
