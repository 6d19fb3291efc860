using System.CommandLine;
using Analytics.Ingest;
using Analytics.Orchestration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

public static class IngestCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "CSV files, or folders of them" };
        var command = new Command("ingest", "Load event CSVs into raw.raw_events; rejected rows go to raw.raw_events_rejected with their reason.") { paths };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var files = EventIngestor.ExpandPaths(parse.GetValue(paths)!);
            await using var provider = CliServices.Build(settings);
            await AnalyticsServices.OpenAsync(provider, cancellationToken);
            var ingestor = provider.GetRequiredService<EventIngestor>();
            var reporter = new ConsoleReporter(output);
            var refused = new List<string>();
            foreach (var file in files)
            {
                IngestResult result;
                try
                {
                    result = await ingestor.IngestAsync(file, new Progress<long>(n => reporter.Progress(file, n)), cancellationToken);
                }
                catch (IngestException e)
                {
                    // Like the seeds' pipelines: one bad file is reported, and the files after it are still tried.
                    reporter.EndProgress();
                    refused.Add(file);
                    reporter.Line($"error: {e.Message}");
                    continue;
                }

                reporter.EndProgress();
                reporter.Line(result.AlreadyIngested
                    ? $"{file}: already ingested as file #{result.FileId} ({result.RowsLoaded:N0} rows loaded then); skipped"
                    : $"{file}: read {result.RowsRead:N0}, loaded {result.RowsLoaded:N0}, rejected {result.RowsRejected:N0} "
                      + $"in {result.Duration.TotalSeconds:0.0}s ({result.RowsRead / Math.Max(result.Duration.TotalSeconds, 0.001):N0} rows/s)");
            }

            if (refused.Count > 0)
            {
                reporter.Line($"{refused.Count} of {files.Count} file(s) refused whole (nothing of them was loaded): {string.Join(", ", refused)}");
                return CliApp.BadInput;
            }

            return CliApp.Ok;
        });
        return command;
    }
}
