using System.CommandLine;
using Analytics.Core.Assets;
using Analytics.Core.Sources;
using Analytics.Ingest;
using Analytics.Orchestration;
using Analytics.Warehouse.BigQuery;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

public static class IngestCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "files, folders of them, or gs://bucket/prefix" };
        var sourceOption = new Option<string>("--source")
        {
            Description = "the declared file source to load into (default raw_events); folders are read for its format's files",
            DefaultValueFactory = _ => "raw_events",
        };
        var target = WarehouseTargetOption.Create();
        var command = new Command("ingest",
            "Load files into a declared source (event CSVs into raw.raw_events by default); rejected rows go to raw.<source>_rejected with their reason. "
            + $"Event times accepted: {settings.EventTimes} (widen with Analytics__Ingest__EventTimeFrom / __EventTimeUntil).") { paths, sourceOption, target };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = WarehouseTargetOption.Apply(parse.GetValue(target), settings);
            await using var host = await CliHost.StartAsync(chosen, cancellationToken);
            var project = host.Services.GetRequiredService<AssetProject>();
            var name = parse.GetValue(sourceOption)!;
            if (!project.Graph.Contains(name) || project.Graph[name].Source?.Origin is not FileOrigin origin)
            {
                var sources = project.Graph.Keys.Where(k => project.Graph[k].Source?.Origin is FileOrigin);
                output.WriteLine($"error: --source '{name}' is not a declared file source; name one of {string.Join(", ", sources)}.");
                return CliApp.BadInput;
            }

            var source = project.Graph[name];
            var storage = new Lazy<GcsClient>(host.Services.GetRequiredService<GcsClient>);
            var files = await SourceFiles.ExpandAsync(parse.GetValue(paths)!, () => storage.Value, cancellationToken, origin.Extension);
            var ingestor = host.Services.GetRequiredService<ISourceIngestor>();
            var reporter = new ConsoleReporter(output);
            var refused = new List<string>();
            long rejected = 0;
            foreach (var file in files)
            {
                IngestResult result;
                try
                {
                    result = await file.IngestAsync(ingestor, source, file.Object is not null ? storage.Value : null,
                        new Progress<long>(n => reporter.Progress(file.Path, n)), cancellationToken);
                }
                catch (IngestException e)
                {
                    // Like the seeds' pipelines: one bad file is reported, and the files after it are still tried.
                    reporter.EndProgress();
                    refused.Add(file.Path);
                    reporter.Line($"error: {e.Message}");
                    continue;
                }

                reporter.EndProgress();
                rejected += result.AlreadyIngested ? 0 : result.RowsRejected;
                reporter.Line(result.AlreadyIngested
                    ? $"{file.Path}: already ingested as file #{result.FileId} ({result.RowsLoaded:N0} rows loaded then); skipped"
                    : $"{file.Path}: read {result.RowsRead:N0}, loaded {result.RowsLoaded:N0}, rejected {result.RowsRejected:N0} "
                      + $"in {result.Duration.TotalSeconds:0.0}s ({result.RowsRead / Math.Max(result.Duration.TotalSeconds, 0.001):N0} rows/s)");
            }

            if (rejected > 0)
            {
                reporter.Line($"{rejected:N0} row(s) rejected, each kept with its reason in raw.{name}_rejected; "
                              + $"event times accepted: {chosen.EventTimes}");
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
