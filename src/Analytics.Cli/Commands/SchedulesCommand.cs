using System.CommandLine;
using Analytics.Core.Scheduling;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

/// <summary>
/// <c>schedules list</c> shows each schedule of <c>schedules.yml</c> with its next tick and latest ticks;
/// <c>schedules tick NAME</c> fires one now, recorded as a tick like a timed one, and runs it here (as materialize does).
/// </summary>
public static class SchedulesCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var list = new Command("list", "Each schedule: cron, time zone, selection, paused, next tick and its latest ticks with their runs.");
        list.SetAction(async (_, cancellationToken) =>
        {
            var schedules = ScheduleFile.Load(AnalyticsEnvironment.AssetsFolder(settings));
            if (schedules.Count == 0)
            {
                output.WriteLine($"no schedules: {ScheduleFile.FileName} beside the assets declares none");
                return CliApp.Ok;
            }

            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var views = await Catalog(host, schedules).ListAsync(DateTimeOffset.UtcNow, cancellationToken);
            output.WriteLine($"{"schedule",-24} {"cron",-16} {"time zone",-20} {"selection",-20} {"next tick (UTC)",-20} last tick");
            foreach (var view in views)
            {
                var next = view.Paused ? "paused" : view.NextTickAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm") ?? "never";
                var last = view.Ticks.FirstOrDefault() is { } t
                    ? $"{t.ScheduledAt.UtcDateTime:yyyy-MM-dd HH:mm} {t.Status}{(t.RunStatus is null ? "" : $" (run {t.RunStatus})")}"
                    : "none yet";
                output.WriteLine($"{view.Name,-24} {view.Cron,-16} {view.Timezone,-20} {view.Selection,-20} {next,-20} {last}");
            }

            return CliApp.Ok;
        });

        var name = new Argument<string>("NAME") { Description = "the schedule to fire now" };
        var tick = new Command("tick", "Fire a schedule now: record the tick, then run its selection here.") { name };
        tick.SetAction(async (parse, cancellationToken) =>
        {
            var schedules = ScheduleFile.Load(AnalyticsEnvironment.AssetsFolder(settings));
            var wanted = parse.GetValue(name)!;
            if (schedules.FirstOrDefault(s => s.Name == wanted) is not { } schedule)
            {
                output.WriteLine($"error: no schedule is called '{wanted}'.{Core.Graph.NameSuggestions.DidYouMean(wanted, schedules.Select(s => s.Name))} "
                                 + "'analytics schedules list' shows them.");
                return CliApp.BadInput;
            }

            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var runId = await Catalog(host, schedules).TickAsync(schedule, $"cli:{Environment.UserName}", cancellationToken);
            output.WriteLine($"schedule {schedule.Name} ticked: run {runId} of '{schedule.Selection}'");
            await host.Services.GetRequiredService<RunWorker>().ExecuteNextAsync(cancellationToken, only: runId);
            var run = await host.Services.GetRequiredService<RunStoreQueries>().GetRunAsync(runId, cancellationToken);
            var status = run is null ? "unknown" : Core.Execution.WireName.Of(run.Status);
            output.WriteLine($"run {runId} {status}");
            return run?.Status == Core.Execution.RunStatus.Succeeded ? CliApp.Ok : CliApp.RunFailed;
        });

        return new Command("schedules", "The schedules of schedules.yml: list them, or tick one by hand.") { list, tick };
    }

    private static ScheduleCatalog Catalog(CliHost host, IReadOnlyList<Schedule> schedules) =>
        new(host.Services.GetRequiredService<Analytics.Core.Assets.AssetProject>(), host.Services.GetRequiredService<ScheduleTicks>(), schedules);
}
