using System.CommandLine;
using Analytics.Cli.Commands;
using Analytics.Core.Assets;
using Analytics.Core.Graph;
using Analytics.Core.Selection;
using Analytics.Ingest;
using Analytics.Orchestration;
using Analytics.Postgres.Server;
using Analytics.Warehouse.BigQuery;

namespace Analytics.Cli;

/// <summary>The <c>analytics</c> command line. Exit codes: 0 done, 1 the run failed, 2 bad usage or bad input.</summary>
public static class CliApp
{
    public const int Ok = 0;
    public const int RunFailed = 1;
    public const int BadInput = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, AnalyticsSettings? settings = null)
    {
        CliTelemetry? telemetry;
        try
        {
            // A malformed setting (a range that is no date, say) is bad input, said as such.
            settings ??= AnalyticsSettings.FromEnvironment();
            settings = settings with { Notices = settings.Notices ?? error };
            telemetry = CliTelemetry.Start(settings.OtlpEndpoint);
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return BadInput;
        }

        using var _ = telemetry;
        try
        {
            return await RunCommandAsync(args, output, error, settings);
        }
        finally
        {
            if (settings.Setting("ANALYTICS_REPORT_MEMORY") == "1")
            {
                await error.WriteLineAsync($"peak memory: {PeakMemory.WorkingSetMegabytes():0.0} MB");
            }
        }
    }

    private static async Task<int> RunCommandAsync(string[] args, TextWriter output, TextWriter error, AnalyticsSettings settings)
    {
        var root = new RootCommand("Analytics: ingest event CSVs and materialize the asset graph into trusted growth metrics.")
        {
            IngestCommand.Create(output, settings),
            MaterializeCommand.Create(output, settings, checksOnly: false),
            MaterializeCommand.Create(output, settings, checksOnly: true),
            BackfillCommand.Create(output, settings),
            IntervalsCommand.Create(output, settings),
            ListCommand.Create(output, settings),
            GraphCommand.Create(output, settings),
            CompileCommand.Create(output, settings),
            ValidateCommand.Create(output, settings),
            GenerateEventsCommand.Create(output, settings),
            SimulateAppCommand.Create(output, settings),
            SupersetCommand.Create(output, settings),
            SchedulesCommand.Create(output, settings),
            KeysCommand.Create(output, settings),
            AuditCommand.Create(output, settings),
            EraseCommand.Create(output, settings),
            RetentionCommand.Create(output, settings),
        };
        // `@name` is a selection (interfaces.md), never a response file: without this, `list @growth_metrics` looked
        // for a file called growth_metrics, and `list @/etc/hostname` read one.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                await error.WriteLineAsync($"error: {problem.Message}");
            }

            await error.WriteLineAsync("Run 'analytics --help' for usage.");
            return BadInput;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is AssetDeclarationException or SelectionException or GraphCycleException or IngestException
                                      or FileNotFoundException or DirectoryNotFoundException or ArgumentException
                                      or PostgresNotInstalledException)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return BadInput;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            // A setting checked when the command's host starts: each failure names its setting and the fix.
            await error.WriteLineAsync($"error: {string.Join("; ", e.Failures)}.");
            return BadInput;
        }
        catch (BigQueryException e)
        {
            // Settings and credentials missing are bad input; a refused or failed call is a failed run.
            await error.WriteLineAsync($"error: {e.Message}");
            return e.Status is null && e.Reason is null ? BadInput : RunFailed;
        }
    }
}
