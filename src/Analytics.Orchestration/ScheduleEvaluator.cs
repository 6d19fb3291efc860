using Analytics.Core.Assets;
using Analytics.Core.Scheduling;
using Analytics.Core.Selection;
using Analytics.RunStore;
using Microsoft.Extensions.Logging;

namespace Analytics.Orchestration;

/// <summary>
/// Turns due schedule ticks into runs. Any number of workers may evaluate at once: each tick is claimed in the
/// run store under its primary key together with its run, so it fires once. A paused schedule fires nothing; a tick
/// whose previous run is still going, or one missed during downtime (by the schedule's catch-up policy), is
/// recorded as skipped with the reason. A schedule that never ticked starts from now: no history is replayed.
/// </summary>
public sealed class ScheduleEvaluator(AssetProject project, ScheduleTicks ticks, IReadOnlyList<Schedule> schedules, string worker, TimeProvider clock, ILogger logger)
{
    /// <summary>Evaluates every schedule once; returns the ticks this worker claimed (fired or skipped).</summary>
    public async Task<IReadOnlyList<(ScheduleTick Tick, Guid? RunId)>> EvaluateAsync(CancellationToken cancellationToken)
    {
        var claimed = new List<(ScheduleTick, Guid?)>();
        var now = clock.GetUtcNow();
        foreach (var schedule in schedules)
        {
            if (await ticks.IsPausedAsync(schedule.Name, cancellationToken))
            {
                continue;
            }

            var last = await ticks.LastTickAsync(schedule.Name, cancellationToken) ?? now - Schedule.OnTime;
            foreach (var tick in schedule.DueTicks(last, now))
            {
                var skip = tick.SkipReason;
                if (tick.Run && await ticks.PreviousRunGoingAsync(schedule.Name, cancellationToken))
                {
                    skip = "the previous run of this schedule is still going";
                }

                if (skip is null)
                {
                    var plan = SelectionParser.Parse(schedule.Selection).ResolveOrdered(project.Graph);
                    if (await ticks.TryFireAsync(schedule.Name, tick.ScheduledAt, schedule.Selection, plan, worker, cancellationToken) is { } runId)
                    {
                        logger.LogInformation("Schedule {Schedule} fired its {At:u} tick: run {RunId} of '{Selection}'",
                            schedule.Name, tick.ScheduledAt, runId, schedule.Selection);
                        claimed.Add((tick, runId));
                    }
                }
                else if (await ticks.TryClaimAsync(schedule.Name, tick.ScheduledAt, "skipped", skip, null, worker, cancellationToken))
                {
                    logger.LogInformation("Schedule {Schedule} skipped its {At:u} tick: {Reason}", schedule.Name, tick.ScheduledAt, skip);
                    claimed.Add((tick with { Run = false, SkipReason = skip }, null));
                }
            }
        }

        return claimed;
    }
}
