using System.CommandLine;
using Analytics.Orchestration;
using Analytics.Warehouse.BigQuery;

namespace Analytics.Cli.Commands;

/// <summary>
/// <c>analytics validate [SELECTION] --target bigquery</c>: dry-runs each selected asset's compiled SQL on BigQuery,
/// which checks it against the real datasets and says how many bytes it would scan; nothing runs and nothing is
/// billed. Assets are dry-run in dependency order; one whose upstream tables do not exist yet is reported as such.
/// </summary>
public static class ValidateCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var selection = SelectionArgument.Create("validate");
        var target = new Option<string>("--target") { Description = "the warehouse to validate against: bigquery", Required = true };
        target.AcceptOnlyFromAmong("bigquery");
        var command = new Command("validate", "Dry-run each selected asset on BigQuery and print the bytes it would scan.") { selection, target };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var project = AnalyticsEnvironment.LoadAssets(settings);
            var keys = SelectionArgument.Resolve(parse, selection, project.Graph).Where(k => !project.Graph[k].IsSource).ToList();
            var bigQuery = settings.BigQueryOrEnvironment();
            bigQuery.RequireProject();
            using var transport = GoogleRestTransport.Create(bigQuery.BigQueryEmulator is not null);
            var client = new BigQueryClient(transport, bigQuery);
            var dialect = bigQuery.Dialect();
            var failed = 0;
            long total = 0;
            foreach (var key in keys)
            {
                try
                {
                    var bytes = await client.DryRunAsync(project.Compile(key, dialect), $"dry-running {key}", cancellationToken);
                    total += bytes;
                    output.WriteLine($"ok   {key,-40} {Size(bytes),12}");
                }
                catch (BigQueryException e)
                {
                    failed++;
                    output.WriteLine($"FAIL {key,-40} {e.Message}");
                }
            }

            output.WriteLine(failed == 0
                ? $"{keys.Count} asset(s) valid; together they would scan {Size(total)} (maximumBytesBilled per query: {Size(bigQuery.MaximumBytesBilled)})"
                : $"{failed} of {keys.Count} asset(s) failed the dry run");
            return failed == 0 ? CliApp.Ok : CliApp.RunFailed;
        });
        return command;
    }

    /// <summary>Bytes in the largest unit that keeps a whole number in front (B, KiB, MiB, GiB, TiB).</summary>
    public static string Size(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0 ? $"{bytes} B" : $"{value:0.0} {units[unit]}";
    }
}
