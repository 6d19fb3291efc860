using Cronos;

namespace Analytics.Core.Scheduling;

/// <summary>What to do with the ticks a schedule missed while no worker ran.</summary>
public enum CatchUp
{
    /// <summary>Record every missed tick as skipped and run only the latest (the default).</summary>
    Latest,

    /// <summary>Run every missed tick, oldest first.</summary>
    All,

    /// <summary>Record every missed tick as skipped; only a tick that is on time runs.</summary>
    None,
}

/// <summary>One tick of a schedule: when it was due, and whether it is to run or to be recorded as skipped.</summary>
public sealed record ScheduleTick(string Schedule, DateTimeOffset ScheduledAt, bool Run, string? SkipReason);

/// <summary>
/// A schedule of <c>assets-sql/schedules.yml</c>: a 5-field cron in an IANA time zone (DST-correct through
/// Cronos: a local time skipped by a spring-forward fires once at the jump, a repeated one fires once), and the
/// selection each tick materializes.
/// </summary>
public sealed class Schedule
{
    private readonly CronExpression _cron;

    public Schedule(string name, string cron, string timeZone, string selection, CatchUp catchUp = CatchUp.Latest)
    {
        Name = name;
        Cron = cron;
        Selection = selection;
        CatchUp = catchUp;
        TimeZone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        _cron = CronExpression.Parse(cron, CronFormat.Standard);
    }

    public string Name { get; }

    public string Cron { get; }

    public TimeZoneInfo TimeZone { get; }

    public string Selection { get; }

    public CatchUp CatchUp { get; }

    /// <summary>The first tick strictly after <paramref name="after"/>.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) =>
        _cron.GetNextOccurrence(after.UtcDateTime, TimeZone) is { } next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>How late a tick may be evaluated and still count as on time rather than missed.</summary>
    public static readonly TimeSpan OnTime = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The ticks due in (<paramref name="lastTick"/>, <paramref name="now"/>], at most <paramref name="limit"/> (the
    /// latest ones), each marked to run or to skip by the catch-up policy: after downtime only the latest runs by
    /// default, and the missed ones are recorded as skipped.
    /// </summary>
    public IReadOnlyList<ScheduleTick> DueTicks(DateTimeOffset lastTick, DateTimeOffset now, int limit = 1_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var due = _cron.GetOccurrences(lastTick.UtcDateTime, now.UtcDateTime, TimeZone, fromInclusive: false, toInclusive: true)
            .Select(t => new DateTimeOffset(t, TimeSpan.Zero)).ToList();
        if (due.Count > limit)
        {
            due = due[^limit..];
        }

        return due.Select((at, i) =>
        {
            var latest = i == due.Count - 1;
            return CatchUp switch
            {
                CatchUp.All => new ScheduleTick(Name, at, true, null),
                CatchUp.None when now - at > OnTime => new ScheduleTick(Name, at, false, "missed while no worker ran (catch_up: none)"),
                _ when latest => new ScheduleTick(Name, at, true, null),
                _ => new ScheduleTick(Name, at, false, "missed while no worker ran; only the latest tick runs (catch_up: latest)"),
            };
        }).ToList();
    }
}
