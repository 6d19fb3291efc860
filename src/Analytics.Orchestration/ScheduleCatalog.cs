using Analytics.Core.Assets;
using Analytics.Core.Scheduling;
using Analytics.Core.Selection;
using Analytics.RunStore;

namespace Analytics.Orchestration;

/// <summary>A schedule as the API and the CLI show it: its declaration, whether it is paused, its next tick and its latest ticks.</summary>
public sealed record ScheduleView(string Name, string Cron, string Timezone, string Selection, string CatchUp, bool Paused, DateTimeOffset? NextTickAt,
    IReadOnlyList<TickView> Ticks);

/// <summary>What the API and the CLI do with schedules: list them with their ticks, pause, resume, and tick one by hand.</summary>
public sealed class ScheduleCatalog(AssetProject project, ScheduleTicks ticks, IReadOnlyList<Schedule> schedules)
{
    /// <summary>Ticks listed per schedule.</summary>
    public const int RecentTicks = 20;

    public IReadOnlyList<Schedule> Schedules => schedules;

    public Schedule? Find(string name) => schedules.FirstOrDefault(s => s.Name == name);

    public async Task<IReadOnlyList<ScheduleView>> ListAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var paused = await ticks.PausedAsync(cancellationToken);
        var recent = await ticks.RecentAsync(schedules.Select(s => s.Name).ToList(), RecentTicks, cancellationToken);
        return schedules.Select(s => new ScheduleView(s.Name, s.Cron, s.TimeZone.Id, s.Selection, s.CatchUp.ToString().ToLowerInvariant(),
            paused.Contains(s.Name), paused.Contains(s.Name) ? null : s.NextAfter(now), recent[s.Name])).ToList();
    }

    public async Task<ScheduleView> SetPausedAsync(Schedule schedule, bool paused, CancellationToken cancellationToken)
    {
        await ticks.SetPausedAsync(schedule.Name, paused, cancellationToken);
        return (await ListAsync(DateTimeOffset.UtcNow, cancellationToken)).Single(v => v.Name == schedule.Name);
    }

    /// <summary>
    /// Fires the schedule now, by hand (paused or not), as a tick at the current time with its run queued; the run's
    /// requester is <c>schedule:NAME</c> like a timed tick's.
    /// </summary>
    public async Task<Guid> TickAsync(Schedule schedule, string by, CancellationToken cancellationToken)
    {
        var plan = SelectionParser.Parse(schedule.Selection).ResolveOrdered(project.Graph);
        for (var attempt = 0; ; attempt++)
        {
            // Two hand ticks in the same microsecond would share a key: the second takes the next one.
            var at = DateTimeOffset.UtcNow.AddTicks(attempt * 10);
            if (await ticks.TryFireAsync(schedule.Name, at, schedule.Selection, plan, by, cancellationToken, $"ticked by hand ({by})") is { } runId)
            {
                return runId;
            }
        }
    }
}
