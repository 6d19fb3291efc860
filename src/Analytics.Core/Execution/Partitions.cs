using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>Date partitions by day, ISO week (Monday start) or month, as the dialects' date_trunc gives them.</summary>
public static class Partitions
{
    /// <summary>
    /// The widest span of partitions tracked one by one, gaps included (137 years of days): with the event-time range
    /// widened to year 1 to 9999 (EventTimeRange), listing every day between would cost millions of rows per build.
    /// </summary>
    public const int MaxTracked = 50_000;

    public static DateOnly Truncate(DateOnly date, DatePart grain) => grain switch
    {
        DatePart.Week => date.AddDays(-(((int)date.DayOfWeek + 6) % 7)),
        DatePart.Month => new DateOnly(date.Year, date.Month, 1),
        _ => date,
    };

    public static DateOnly Add(DateOnly start, DatePart grain, int count)
    {
        try
        {
            return grain switch
            {
                DatePart.Week => start.AddDays(7 * count),
                DatePart.Month => start.AddMonths(count),
                _ => start.AddDays(count),
            };
        }
        catch (ArgumentOutOfRangeException)
        {
            return count < 0 ? DateOnly.MinValue : DateOnly.MaxValue;
        }
    }

    /// <summary>The last day of the partition starting at <paramref name="start"/>, the calendar's last day included.</summary>
    public static DateOnly LastDay(DateOnly start, DatePart grain)
    {
        var next = Add(start, grain, 1);
        // Add saturates at DateOnly.MaxValue: the week of 9999-12-27 ends there rather than a day before it.
        return next == DateOnly.MaxValue && Truncate(next, grain) <= start ? next : next.AddDays(-1);
    }

    /// <summary>Every partition start from <paramref name="first"/>'s partition through <paramref name="last"/>'s.</summary>
    public static IEnumerable<DateOnly> Range(DateOnly first, DateOnly last, DatePart grain)
    {
        for (var start = Truncate(first, grain); start <= last; start = Add(start, grain, 1))
        {
            yield return start;
            if (start == DateOnly.MaxValue)
            {
                yield break;
            }
        }
    }
}
