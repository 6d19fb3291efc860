using System.CommandLine;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

/// <summary><c>audit verify</c>: walks the audit log's hash chain and reports the first broken link.</summary>
public static class AuditCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var verify = new Command("verify", "Check the audit log's hash chain from its first record: exit 0 when intact, 1 with the first broken record.");
        verify.SetAction(async (_, cancellationToken) =>
        {
            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var result = await host.Services.GetRequiredService<AuditStore>().VerifyAsync(cancellationToken);
            if (result.Intact)
            {
                output.WriteLine($"audit log intact: {result.Records:N0} record(s), each linked to the one before and hashing to what it holds");
                return CliApp.Ok;
            }

            output.WriteLine($"audit log broken at record {result.BrokenAt}: {result.Problem}");
            output.WriteLine($"({result.Records - 1:N0} record(s) before it are intact; what follows it cannot be vouched for)");
            return CliApp.RunFailed;
        });

        return new Command("audit", "The audit log of the API and the CLI's key changes.") { verify };
    }
}
