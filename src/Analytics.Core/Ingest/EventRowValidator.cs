using System.Globalization;
using System.Runtime.InteropServices;

namespace Analytics.Core.Ingest;

/// <summary>
/// Applies the input rules of metrics.md to one CSV record. Repeated values (event types, platforms, user ids)
/// are interned so a large file allocates little.
/// </summary>
public sealed class EventRowValidator
{
    private const int MaxInterned = 1 << 20;
    private readonly int[] _map;
    private readonly int _expectedFields;
    private readonly EventTimeRange _times;
    private readonly Dictionary<string, string> _interned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public EventRowValidator(int[] columnMap, int headerFieldCount, EventTimeRange? times = null)
    {
        _map = columnMap;
        _expectedFields = headerFieldCount;
        _times = times ?? EventTimeRange.Default;
        _lookup = _interned.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Returns null and the row when the record is valid, else the reason it is rejected.</summary>
    public string? Validate(CsvRecordReader record, out EventRow row)
    {
        row = default;
        if (record.Oversized)
        {
            return $"the row is longer than {record.MaxRecordLength:N0} characters (often a quote that is never closed); "
                   + "its first characters are kept here";
        }

        if (record.UnterminatedQuote)
        {
            return "a quoted field is never closed";
        }

        if (record.FieldCount != _expectedFields)
        {
            return record.FieldCount == 1 && record[0].IsWhiteSpace()
                ? "empty line"
                : $"expected {_expectedFields} fields, found {record.FieldCount}";
        }

        for (var i = 0; i < record.FieldCount; i++)
        {
            if (record[i].Contains('\0'))
            {
                return $"field {i + 1} contains a NUL character, which no text column can hold";
            }

            if (record[i].Length > EventSchema.MaxFieldLength)
            {
                var column = Array.IndexOf(_map, i) is >= 0 and var c ? EventSchema.LoadedColumns[c] : $"field {i + 1}";
                return $"{column} is {record[i].Length:N0} characters long; at most {EventSchema.MaxFieldLength:N0} are loaded";
            }
        }

        var time = Field(record, 0);
        if (time.IsEmpty)
        {
            return "event_time is missing";
        }

        if (!TimestampParser.TryParse(time, out var eventTime))
        {
            return $"event_time '{time}' is not a valid ISO 8601 date and time";
        }

        if (!_times.Contains(eventTime))
        {
            return _times.Refusal(eventTime);
        }

        var user = Field(record, 1);
        if (user.IsEmpty)
        {
            return "user_id is missing";
        }

        var type = Field(record, 2);
        if (type.IsEmpty)
        {
            return "event_type is missing";
        }

        var eventType = EventTypeOf(type);
        if (eventType is null)
        {
            return $"event_type '{type}' is not one of {string.Join(", ", EventSchema.EventTypes)}";
        }

        var milesText = Field(record, 4);
        decimal? miles = null;
        var isMiles = eventType is "miles_earned" or "miles_redeemed";
        if (!milesText.IsEmpty && decimal.TryParse(milesText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            miles = parsed;
        }

        if (isMiles)
        {
            if (milesText.IsEmpty)
            {
                return $"miles_amount is missing for {eventType}";
            }

            if (miles is null)
            {
                return $"miles_amount '{milesText}' is not a finite number";
            }

            if (miles < 0)
            {
                return $"miles_amount {milesText} is negative";
            }
        }

        var tenant = Field(record, 8);
        if (!tenant.IsEmpty && (tenant.Length > MaxTenantLength || !IsTenantName(tenant)))
        {
            return $"tenant_id '{tenant}' is not 1 to {MaxTenantLength} letters, digits, '.', '_', '-' or '@'";
        }

        row = new EventRow(
            eventTime,
            Intern(user),
            eventType,
            Optional(record, 3),
            miles,
            Optional(record, 5),
            Optional(record, 6),
            Optional(record, 7),
            Optional(record, 8));
        return null;
    }

    /// <summary>The longest tenant name: as long as an API key's tenant scope may be.</summary>
    public const int MaxTenantLength = 64;

    private static bool IsTenantName(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '@'))
            {
                return false;
            }
        }

        return true;
    }

    private ReadOnlySpan<char> Field(CsvRecordReader record, int column) =>
        _map[column] < 0 ? [] : record[_map[column]].Trim();

    private string? Optional(CsvRecordReader record, int column)
    {
        var value = Field(record, column);
        return value.IsEmpty ? null : Intern(value);
    }

    private static string? EventTypeOf(ReadOnlySpan<char> type)
    {
        foreach (var known in EventSchema.EventTypes)
        {
            if (type.SequenceEqual(known))
            {
                return known;
            }
        }

        return null;
    }

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
