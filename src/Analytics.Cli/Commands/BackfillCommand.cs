using System.CommandLine;
using System.Globalization;
using Analytics.Orchestration;

namespace Analytics.Cli.Commands;

/// <summary><c>analytics backfill SELECTION --from DATE --to DATE</c>: rebuild the partitions dated in a range, and what they feed.</summary>
public static class BackfillCommand
{
    /// <summary>The longest range one backfill takes: ten years of days.</summary>
    public const int MaxDays = 3660;

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
            var first = ParseDate(parse.GetValue(from)!, "--from");
            var last = ParseDate(parse.GetValue(to)!, "--to");
            if (last < first)
            {
                throw new ArgumentException($"--to {last:yyyy-MM-dd} is before --from {first:yyyy-MM-dd}; give the range oldest first.");
            }

            if (last.DayNumber - first.DayNumber >= MaxDays)
            {
                throw new ArgumentException(
                    $"--from {first:yyyy-MM-dd} --to {last:yyyy-MM-dd} spans more than {MaxDays} days; backfill in parts, or use 'materialize --full-refresh'.");
            }

            return MaterializeCommand.RunAsync(output, settings, parse, selection, parallelism, target, checksOnly: false,
                options => options.Backfill = (first, last), cancellationToken);
        });
        return command;
    }

    private static DateOnly ParseDate(string text, string option) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new ArgumentException($"{option} '{text}' is not a date; write it as YYYY-MM-DD, e.g. 2024-03-01.");
}
