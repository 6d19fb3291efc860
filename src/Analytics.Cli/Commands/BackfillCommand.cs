using System.CommandLine;
using System.Globalization;
using Analytics.Core.Execution;
using Analytics.Orchestration;

namespace Analytics.Cli.Commands;

/// <summary><c>analytics backfill SELECTION --from DATE --to DATE</c>: rebuild the partitions dated in a range, and what they feed.</summary>
public static class BackfillCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var selection = new Argument<string[]>("SELECTION") { Arity = ArgumentArity.OneOrMore, Description = "assets to backfill, e.g. 'fct_events+'" };
        var from = new Option<string>("--from") { Required = true, Description = "first date of the range (YYYY-MM-DD)" };
        var to = new Option<string>("--to") { Required = true, Description = "last date of the range (YYYY-MM-DD), inclusive" };
        var parallelism = new Option<int>("--parallelism")
        {
            Description = "how many independent assets build at once",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var target = WarehouseTargetOption.Create();
        var command = new Command("backfill",
            "Rebuild the selected incremental assets' partitions dated --from..--to (as if every event in the range had changed); "
            + "other selected assets build as usual.") { selection, from, to, parallelism, target };
        command.SetAction((parse, cancellationToken) =>
        {
            var build = BuildOptions.Backfill(ParseDate(parse.GetValue(from)!, "--from"), ParseDate(parse.GetValue(to)!, "--to"), ("--from", "--to"));
            return MaterializeCommand.RunAsync(output, settings, parse, selection, parallelism, target, checksOnly: false, build.Apply, cancellationToken);
        });
        return command;
    }

    private static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ArgumentException($"{option} '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01.");
}
