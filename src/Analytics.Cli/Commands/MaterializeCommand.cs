using System.CommandLine;
using Analytics.Core.Execution;
using Analytics.Core.Selection;
using Analytics.Orchestration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

/// <summary><c>analytics materialize [SELECTION]</c> and <c>analytics check [SELECTION]</c>.</summary>
public static class MaterializeCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings, bool checksOnly)
    {
        var selection = SelectionArgument.Create("select");
        var parallelism = new Option<int>("--parallelism")
        {
            Description = "how many independent assets build at once",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var target = WarehouseTargetOption.Create();
        var fullRefresh = new Option<bool>("--full-refresh") { Description = "build incremental assets whole, as on their first build (snapshots keep their history)" };
        var rebuildSnapshots = new Option<bool>("--rebuild-snapshots")
        {
            Description = "drop the selected snapshots' history and start it over from today's source: the versions they held are lost for good",
        };
        var command = checksOnly
            ? new Command("check", "Run the asset checks of the selection without rebuilding anything.") { selection, parallelism, target }
            : new Command("materialize", "Build the selected assets in dependency order, then run their checks. Incremental assets "
                                         + "rebuild only the partitions that changed since their last build.") { selection, parallelism, target, fullRefresh, rebuildSnapshots };
        command.SetAction((parse, cancellationToken) => RunAsync(output, settings, parse, selection, parallelism, target, checksOnly,
            options =>
            {
                options.FullRefresh = !checksOnly && parse.GetValue(fullRefresh);
                options.RebuildSnapshots = !checksOnly && parse.GetValue(rebuildSnapshots);
            }, cancellationToken));
        return command;
    }

    /// <summary>Runs the selection, its incremental builds shaped by <paramref name="configure"/>; the exit code says how it went.</summary>
    public static async Task<int> RunAsync(TextWriter output, AnalyticsSettings settings, ParseResult parse, Argument<string[]> selection,
        Option<int> parallelism, Option<string?> target, bool checksOnly, Action<ExecutorOptions> configure, CancellationToken cancellationToken)
    {
        {
            var text = SelectionArgument.Text(parse, selection);
            var kind = checksOnly ? RunKind.Check : RunKind.Materialize;
            var chosen = WarehouseTargetOption.Apply(parse.GetValue(target), settings);
            // The selection is resolved before any database is started or touched: a mistake in it costs nothing.
            var project = AnalyticsEnvironment.LoadAssets(chosen);
            var keys = SelectionArgument.Resolve(text, project.Graph);
            await using var host = await CliHost.StartAsync(chosen, cancellationToken, project);
            var reporter = new ConsoleReporter(output);
            var executor = host.Services.GetRequiredService<RunExecutorFactory>().Create(kind, text, Environment.UserName, parse.GetValue(parallelism), reporter, configure);
            var run = await executor.RunAsync(Guid.NewGuid(), keys, checksOnly, cancellationToken);
            var failed = run.Steps.Count(s => s.Status != StepStatus.Succeeded);
            reporter.Line(run.Succeeded
                ? $"run {run.RunId} succeeded: {run.Steps.Count} asset(s) in {run.Duration.TotalSeconds:0.0}s"
                : $"run {run.RunId} failed: {failed} of {run.Steps.Count} asset(s) did not succeed ({run.Duration.TotalSeconds:0.0}s)");
            return run.Succeeded ? CliApp.Ok : CliApp.RunFailed;
        }
    }
}
