using System.CommandLine;
using Analytics.Core.Execution;
using Analytics.Core.Graph;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

/// <summary><c>analytics intervals ASSET</c>: the partitions an incremental asset has built, as ranges, its gaps, and why each was last built.</summary>
public static class IntervalsCommand
{
    private const int RecentShown = 10;

    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var name = new Argument<string>("ASSET") { Description = "an incremental asset, e.g. fct_events" };
        var command = new Command("intervals", "Show the partitions an incremental asset has built, its gaps, and the load it is current with.") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var key = parse.GetValue(name)!;
            var project = AnalyticsEnvironment.LoadAssets(settings);
            var incremental = string.Join(", ", project.Graph.Keys.Where(k => project.Graph[k].Incremental is not null).Order(StringComparer.Ordinal));
            if (!project.Graph.Contains(key))
            {
                // The closest names when some are close; always the assets that have intervals, so the answer is never a dead end.
                throw new ArgumentException($"'{(key.Length > 200 ? key[..200] + "..." : key)}' is no asset.{NameSuggestions.DidYouMean(key, project.Graph.Keys)} "
                                            + $"The assets with intervals: {incremental}.");
            }

            var asset = project.Graph[key];
            if (asset.Incremental is not { } spec)
            {
                throw new ArgumentException(
                    $"'{key}' is a {asset.Materialization.ToString().ToLowerInvariant()} without partitions, rebuilt whole each run; it has no intervals. "
                    + $"The assets with intervals: {incremental}.");
            }

            await using var host = await CliHost.StartAsync(settings, cancellationToken);
            var store = host.Services.GetRequiredService<PostgresIntervalStore>();
            var state = await store.GetAsync(key, cancellationToken);
            var unit = spec.Grain.ToString().ToLowerInvariant();
            output.WriteLine(spec.ByDate
                ? $"{key}: incremental by {unit} on {spec.PartitionBy}, lookback {spec.Lookback} {unit}(s), strategy {WireName.Of(spec.Strategy)}"
                : $"{key}: incremental by key {spec.UniqueKey}, strategy {WireName.Of(spec.Strategy)} (keys are not listed)");
            if (state is null)
            {
                output.WriteLine("never built: the next materialize builds it whole.");
                return CliApp.Ok;
            }

            output.WriteLine($"current with load {state.LoadId} (ingested files up to file_id {state.LoadId}); definitions {state.LineageHash[..12]}");
            if (!spec.ByDate)
            {
                return CliApp.Ok;
            }

            var partitions = await store.ListAsync(key, cancellationToken);
            if (partitions.Count == 0)
            {
                output.WriteLine("no partitions built yet (the table was empty).");
                return CliApp.Ok;
            }

            var built = partitions.Select(p => p.Start).ToList();
            output.WriteLine($"built:  {Ranges(built, spec.Grain)} ({built.Count} partitions)");
            var have = built.ToHashSet();
            if (built[^1].DayNumber - built[0].DayNumber > Partitions.MaxTracked)
            {
                output.WriteLine($"gaps:   not tracked: the partitions span more than {Partitions.MaxTracked:N0} days");
            }
            else
            {
                var gaps = Partitions.Range(built[0], built[^1], spec.Grain).Where(d => !have.Contains(d)).ToList();
                output.WriteLine(gaps.Count == 0 ? "gaps:   none" : $"gaps:   {Ranges(gaps, spec.Grain)} ({gaps.Count}; the next materialize fills them)");
            }
            output.WriteLine("last built as: " + string.Join(", ", partitions.GroupBy(p => p.Reason).OrderBy(g => g.Key)
                .Select(g => $"{g.Count()} {WireName.Of(g.Key)}")));
            output.WriteLine("most recently built:");
            foreach (var p in partitions.OrderByDescending(p => p.BuiltAt).ThenByDescending(p => p.Start).Take(RecentShown))
            {
                output.WriteLine($"  {p.Start:yyyy-MM-dd}  {WireName.Of(p.Reason),-8}  {p.BuiltAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}  run {p.RunId}");
            }

            return CliApp.Ok;
        });
        return command;
    }

    /// <summary>Consecutive partitions as "a..b" ranges: "2024-01-01..2024-03-31, 2024-04-02".</summary>
    public static string Ranges(IReadOnlyList<DateOnly> starts, Core.Templating.DatePart grain)
    {
        var ranges = new List<string>();
        for (var i = 0; i < starts.Count;)
        {
            var j = i;
            while (j + 1 < starts.Count && starts[j + 1] == Partitions.Add(starts[j], grain, 1))
            {
                j++;
            }

            ranges.Add(i == j ? $"{starts[i]:yyyy-MM-dd}" : $"{starts[i]:yyyy-MM-dd}..{starts[j]:yyyy-MM-dd}");
            i = j + 1;
        }

        return string.Join(", ", ranges);
    }
}
