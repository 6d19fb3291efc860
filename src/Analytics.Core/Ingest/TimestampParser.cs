namespace Analytics.Core.Ingest;

/// <summary>
/// Parses the event_time rule of metrics.md: <c>YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z|±HH:MM]</c>, no zone meaning
/// UTC. Returns the instant in UTC, to the microsecond; impossible dates and times fail.
/// </summary>
public static class TimestampParser
{
    public static bool TryParse(ReadOnlySpan<char> s, out DateTime utc)
    {
        utc = default;
        if (s.Length < 19
            || !Digits(s, 0, 4, out var year) || s[4] != '-'
            || !Digits(s, 5, 2, out var month) || s[7] != '-'
            || !Digits(s, 8, 2, out var day) || (s[10] != ' ' && s[10] != 'T' && s[10] != 't')
            || !Digits(s, 11, 2, out var hour) || s[13] != ':'
            || !Digits(s, 14, 2, out var minute) || s[16] != ':'
            || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var i = 19;
        long ticks = 0;
        if (i < s.Length && s[i] == '.')
        {
            i++;
            var digits = 0;
            long scale = TimeSpan.TicksPerSecond;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                // PostgreSQL and BigQuery keep microseconds; finer digits are dropped so both sides agree.
                if (digits < 6)
                {
                    scale /= 10;
                    ticks += (s[i] - '0') * scale;
                }

                digits++;
                i++;
            }

            if (digits == 0 || digits > 9)
            {
                return false;
            }
        }

        var offsetMinutes = 0;
        if (i < s.Length)
        {
            if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.Length)
            {
                i++;
            }
            else if ((s[i] == '+' || s[i] == '-') && TryOffset(s[(i + 1)..], out var minutes))
            {
                offsetMinutes = s[i] == '-' ? -minutes : minutes;
                i = s.Length;
            }
            else
            {
                return false;
            }
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        var instant = local.AddMinutes(-offsetMinutes);
        if (instant.Year is < 1 or > 9999)
        {
            return false;
        }

        utc = DateTime.SpecifyKind(instant, DateTimeKind.Utc);
        return true;
    }

    private static bool TryOffset(ReadOnlySpan<char> s, out int minutes)
    {
        minutes = 0;
        int hours, mins;
        if (s.Length == 5 && s[2] == ':' && Digits(s, 0, 2, out hours) && Digits(s, 3, 2, out mins)
            || s.Length == 4 && Digits(s, 0, 2, out hours) && Digits(s, 2, 2, out mins))
        {
            minutes = hours * 60 + mins;
            return hours <= 14 && mins <= 59 && minutes <= 14 * 60;
        }

        if (s.Length == 2 && Digits(s, 0, 2, out hours))
        {
            minutes = hours * 60;
            return hours <= 14;
        }

        return false;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            value = value * 10 + (s[i] - '0');
        }

        return true;
    }
}
