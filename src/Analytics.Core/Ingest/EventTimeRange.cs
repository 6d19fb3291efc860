using System.Globalization;

namespace Analytics.Core.Ingest;

/// <summary>
/// The event times ingest accepts, from <see cref="From"/> (inclusive) to <see cref="Until"/> (exclusive), in UTC.
/// A row outside is rejected with its reason: every series the marts generate runs from the first to the last
/// accepted event, so one row dated year 1 or 9999 would otherwise stretch each of them over millennia.
/// </summary>
public sealed record EventTimeRange(DateTime From, DateTime Until)
{
    /// <summary>The setting that moves <see cref="From"/>.</summary>
    public const string FromSetting = "Analytics:Ingest:EventTimeFrom";

    /// <summary>The setting that moves <see cref="Until"/>.</summary>
    public const string UntilSetting = "Analytics:Ingest:EventTimeUntil";

    /// <summary>2000-01-01 up to 2100-01-01: the same file gets the same answer on any day, and no series passes 36,525 days.</summary>
    public static readonly EventTimeRange Default = new(
        new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2100, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    /// <summary>Every time the parser can read, for tests and for data that truly spans centuries.</summary>
    public static readonly EventTimeRange Widest = new(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc),
        DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc));

    public bool Contains(DateTime utc) => utc >= From && (utc < Until || Until == DateTime.MaxValue);

    /// <summary>The range as people read it: <c>2000-01-01T00:00:00Z up to 2100-01-01T00:00:00Z</c>.</summary>
    public override string ToString() => $"{Format(From)} up to {Format(Until)}";

    /// <summary>Why <paramref name="utc"/> (of <paramref name="column"/>) is rejected, naming the range and the settings that widen it.</summary>
    public string Refusal(DateTime utc, string column = "event_time") =>
        $"{column} {Format(utc)} is outside the accepted range, {this}; if it is real, widen the range with "
        + $"{Env(FromSetting)} or {Env(UntilSetting)}";

    /// <summary>
    /// The range the two settings give (either may be empty, keeping its default). A value that is no ISO 8601 time,
    /// or a range that is empty, is an <see cref="ArgumentException"/> naming the setting and the fix.
    /// </summary>
    public static EventTimeRange Parse(string? from, string? until)
    {
        var start = string.IsNullOrWhiteSpace(from) ? Default.From : Read(FromSetting, from);
        var end = string.IsNullOrWhiteSpace(until) ? Default.Until : Read(UntilSetting, until);
        return start < end
            ? new EventTimeRange(start, end)
            : throw new ArgumentException(
                $"{Env(FromSetting)} ({Format(start)}) must be before {Env(UntilSetting)} ({Format(end)}); "
                + "set them to the first time accepted and the first time refused after it.");
    }

    private static DateTime Read(string setting, string value)
    {
        var text = value.Trim();
        // A bare date is the midnight that starts it.
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        }

        return TimestampParser.TryParse(text, out var utc)
            ? utc
            : throw new ArgumentException(
                $"{Env(setting)} is '{(text.Length > 40 ? text[..40] + "…" : text)}', which is not a date (YYYY-MM-DD) "
                + "or an ISO 8601 time; write it as, for example, 1990-01-01.");
    }

    private static string Format(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Env(string setting) => setting.Replace(":", "__", StringComparison.Ordinal);
}
