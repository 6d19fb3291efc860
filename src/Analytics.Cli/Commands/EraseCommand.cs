using System.CommandLine;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

/// <summary><c>analytics erase --user-id ID [--tenant T]</c>: the right to be forgotten, with the search that proves it.</summary>
public static class EraseCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var userId = new Option<string>("--user-id") { Required = true, Description = "the subject's user id, as it was loaded" };
        var tenant = new Option<string?>("--tenant") { Description = "erase the id in this tenant only (default: in every tenant)" };
        var command = new Command("erase",
            "Erase a subject: its raw and rejected rows and its rows in every table; rebuild what aggregated it for the days it was active; "
            + "keep a tombstone (a keyed hash) so an old file with it loads without it; then search every text column for the id.")
        {
            userId, tenant,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var outcome = await host.Services.GetRequiredService<SubjectEraser>().EraseAsync(parse.GetValue(userId)!, parse.GetValue(tenant), $"cli:{Environment.UserName}",
                new ConsoleReporter(output), cancellationToken);
            var erasure = outcome.Erasure;
            await host.Services.GetRequiredService<AuditStore>().AppendAsync(
                [new AuditRecord($"cli:{Environment.UserName}", "EraseSubject", $"/api/erasures/{erasure.ErasureId}", erasure.Status == "complete" ? 201 : 500, "cli", null)],
                cancellationToken);
            output.WriteLine($"erasure {erasure.ErasureId}: {erasure.Status}; removed {erasure.Removed}");
            if (erasure.Status != "complete")
            {
                output.WriteLine($"the id is still found: {erasure.Found}");
                return CliApp.RunFailed;
            }

            output.WriteLine("searched every text column of every table: the id is found nowhere; a later load of a file holding it drops those rows (reason 'erased')");
            return CliApp.Ok;
        });
        return command;
    }
}
