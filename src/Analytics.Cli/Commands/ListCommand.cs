using System.CommandLine;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

public static class ListCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var selection = SelectionArgument.Create("list");
        var command = new Command("list", "List assets with their layer, last materialization and check status.") { selection };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var project = AnalyticsEnvironment.LoadAssets(settings);
            var keys = SelectionArgument.Resolve(parse, selection, project.Graph);
            await using var host = await CliHost.StartAsync(settings, cancellationToken, project);
            var statuses = await host.Services.GetRequiredService<RunStoreQueries>().AssetStatusesAsync(cancellationToken);
            output.WriteLine($"{"asset",-36} {"layer",-8} {"kind",-11} {"last materialized (UTC)",-23} {"rows",12} {"status",-12} {"checks",-14} freshness");
            var now = DateTimeOffset.UtcNow;
            foreach (var key in keys)
            {
                var asset = project.Graph[key];
                var status = statuses.GetValueOrDefault(key);
                var when = status?.MaterializedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss") ?? "never";
                var rows = status?.Rows?.ToString("N0") ?? "";
                var checks = asset.Checks.Count == 0 ? "-" : status is null || status.ChecksRun == 0 ? $"0/{asset.Checks.Count} run" : $"{status.ChecksPassed}/{status.ChecksRun} passed";
                var freshness = AssetFreshness.Evaluate(project.Graph, key, statuses, now);
                output.WriteLine($"{key,-36} {asset.Layer,-8} {asset.Materialization.ToString().ToLowerInvariant(),-11} {when,-23} {rows,12} {status?.LastStepStatus ?? "-",-12} {checks,-14} {Core.Execution.WireName.Of(freshness.State)}");
            }

            return CliApp.Ok;
        });
        return command;
    }
}
