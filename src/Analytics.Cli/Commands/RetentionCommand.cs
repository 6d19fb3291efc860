using System.CommandLine;
using Analytics.Orchestration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

/// <summary><c>analytics retention [--dry-run]</c>: apply the sources' declared retention now, as the workers' hourly job does.</summary>
public static class RetentionCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "say what would be deleted, delete nothing" };
        var command = new Command("retention",
            "Delete the rows of each source that declares 'retention: {max_age: ...}' dated before today minus that age (UTC days), record each "
            + "deletion with its days and rows, and rebuild what was built from them.") { dryRun };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var retention = host.Services.GetRequiredService<SourceRetention>();
            if (!retention.Sources.Any())
            {
                output.WriteLine("no source declares retention; every row is kept");
                return CliApp.Ok;
            }

            var dry = parse.GetValue(dryRun);
            var outcomes = await retention.ApplyAsync(DateTimeOffset.UtcNow, $"cli:{Environment.UserName}", dry, new ConsoleReporter(output), cancellationToken);
            foreach (var outcome in outcomes)
            {
                output.WriteLine(outcome.Days.Count == 0
                    ? $"{outcome.Source}: nothing dated before {outcome.KeptFrom:yyyy-MM-dd}"
                    : $"{outcome.Source}: {(dry ? "would delete" : "deleted")} {outcome.Rows:N0} row(s) of {outcome.Days.Count} day(s) before {outcome.KeptFrom:yyyy-MM-dd}"
                      + (outcome.RunId is { } run ? $"; rebuilt by run {run} ({(outcome.Rebuilt == true ? "succeeded" : "failed")})" : ""));
            }

            return outcomes.Any(o => o.Rebuilt == false) ? CliApp.RunFailed : CliApp.Ok;
        });
        return command;
    }
}
