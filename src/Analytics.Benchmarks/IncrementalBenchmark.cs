using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Core.Assets;
using Analytics.Core.Generation;
using Analytics.Postgres.Server;

namespace Analytics.Benchmarks;

/// <summary>
/// <c>$B incremental</c>: a year of history is ingested and built; then one new day plus late events (1 % of the
/// previous three days' volume) arrives, and <c>materialize '*'</c> runs incrementally, against a full rebuild of
/// the same input. The same batch goes onto each history size, so the incremental times show whether the cost
/// follows the batch (flat) or the history.
/// </summary>
internal static partial class IncrementalBenchmark
{
    private static readonly DateOnly Start = new(2025, 1, 1);
    private static readonly DateOnly NewDay = new(2025, 12, 31);
    private const double EventsPerUserYear = 52.6;

    public static async Task RunAsync(IReadOnlyList<long> histories)
    {
        var batch = Batch(Users(histories.Max()));
        Console.WriteLine($"batch: {batch} ({File.ReadLines(batch).LongCount() - 1:N0} rows: {NewDay:yyyy-MM-dd} and 1 % of the 3 days before, late)");
        var incremental = new Dictionary<long, double>();
        foreach (var events in histories)
        {
            incremental[events] = await RunOneAsync(events, batch);
        }

        if (histories.Count > 1)
        {
            var (small, large) = (histories.Min(), histories.Max());
            Console.WriteLine($"\nflatness: the same batch on {large:N0} events of history took {incremental[large] / incremental[small]:0.00}x "
                              + $"its time on {small:N0} (target within 1.5x)");
        }
    }

    /// <summary>
    /// <c>$B incremental --last-day</c>, the issue's case: <c>generate-events --users 8000 --days 366 --start 2025-01-01
    /// --seed 7</c>, its last day held back and loaded alone after the rest is built.
    /// </summary>
    public static async Task RunLastDayAsync()
    {
        const string year = "bench-data/last-day-8000u-366d-seed7.csv";
        if (!File.Exists(year))
        {
            Directory.CreateDirectory("bench-data");
            await ChildProcess.RunAsync("dotnet",
                [ChildProcess.CliDll, "generate-events", "--users", "8000", "--days", "366", "--start", "2025-01-01", "--seed", "7", "--out", year]);
        }

        var lastDay = Date(Start.AddDays(365));
        var (history, batch) = ("bench-data/last-day-history.csv", "bench-data/last-day-batch.csv");
        if (!File.Exists(batch))
        {
            using var before = new StreamWriter(history, false, new UTF8Encoding(false), 1 << 20);
            using var last = new StreamWriter(batch, false, new UTF8Encoding(false), 1 << 20);
            foreach (var line in File.ReadLines(year))
            {
                var header = line.StartsWith("event_time", StringComparison.Ordinal);
                if (header || !line.StartsWith(lastDay, StringComparison.Ordinal))
                {
                    before.WriteLine(line);
                }

                if (header || line.StartsWith(lastDay, StringComparison.Ordinal))
                {
                    last.WriteLine(line);
                }
            }
        }

        Console.WriteLine($"batch: {batch} ({File.ReadLines(batch).LongCount() - 1:N0} rows: {lastDay})");
        await RunOneAsync(history, batch, targetShare: 0.25);
    }

    private static int Users(long events) => (int)(events / EventsPerUserYear);

    private static Task<double> RunOneAsync(long events, string batch) => RunOneAsync(History(Users(events)), batch, targetShare: 0.10);

    /// <summary>The batch onto the history; <paramref name="targetShare"/> is the issue's target for incremental / full rebuild.</summary>
    private static async Task<double> RunOneAsync(string history, string batch, double targetShare)
    {
        Console.WriteLine($"\nhistory: {history} ({File.ReadLines(history).LongCount() - 1:N0} rows)");
        await using var server = await BenchServer.StartAsync(new EmbeddedPostgresOptions().SharedBuffers);
        var db = await server.CreateDatabaseAsync("bench_incremental");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_ASSETS"] = Path.GetFullPath("assets-sql") };
        await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", history], environment);
        var (first, _) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*"], environment);
        Console.WriteLine($"first build of the history: {first.TotalSeconds:0.0} s");

        await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", batch], environment);
        var (incremental, incrementalOutput) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*"], environment);
        var counts = await CountsAsync(db);
        var (full, fullOutput) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*", "--full-refresh"], environment);
        var same = counts.SequenceEqual(await CountsAsync(db));

        Console.WriteLine($"after the batch: incremental {incremental.TotalSeconds:0.0} s, full rebuild {full.TotalSeconds:0.0} s: "
                          + $"{incremental / full:P1} of it (target at most {targetShare:P0}); row counts of every table {(same ? "equal" : "DIFFER")}");
        // Nothing new since: every asset should be found up to date.
        var (idle, idleOutput) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*"], environment);
        var idleEngine = EngineSeconds().Match(idleOutput) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : double.NaN;
        Console.WriteLine($"a run with nothing new: {idle.TotalSeconds:0.00} s for the process, {idleEngine:0.00} s of engine time (target under 1 s); "
                          + $"{UpToDate().Matches(idleOutput).Count} of {Steps(idleOutput).Count} assets up to date");
        var fullSteps = Steps(fullOutput);
        Console.WriteLine($"  {"asset",-36} {"incremental",12} {"full",9}  what the incremental run did");
        foreach (var (key, seconds, note) in Steps(incrementalOutput))
        {
            Console.WriteLine($"  {key,-36} {seconds,10:0.00} s {fullSteps.FirstOrDefault(s => s.Key == key).Seconds,7:0.00} s  {note}");
        }

        return incremental.TotalSeconds;
    }

    /// <summary>A year of events for <paramref name="users"/> users, generated once.</summary>
    private static string Year(int users)
    {
        var path = $"bench-data/year-{users}u.csv";
        if (!File.Exists(path))
        {
            Generate(path, new EventGeneratorOptions { Users = users, Days = NewDay.DayNumber - Start.DayNumber + 1, Start = Start, Seed = 1, DirtyRate = 0.02 });
        }

        return path;
    }

    /// <summary>The year of <paramref name="users"/> users without its last day and without the rows the batch brings late.</summary>
    private static string History(int users) => Part(users, $"bench-data/history-{users}u.csv", batch: false);

    /// <summary>
    /// The last day of the largest year, and 1 % of its three days before, held back from that history and brought
    /// late: the same batch goes onto every history size.
    /// </summary>
    private static string Batch(int users) => Part(users, $"bench-data/batch-{users}u-{NewDay:yyyyMMdd}.csv", batch: true);

    /// <summary>One side of the year's split into history and batch, written once (with the header).</summary>
    private static string Part(int users, string path, bool batch)
    {
        if (!File.Exists(path))
        {
            using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
            // Drawn in the same order for either side, so history and batch split the same rows.
            var random = new Random(3);
            foreach (var line in File.ReadLines(Year(users)))
            {
                var header = line.StartsWith("event_time", StringComparison.Ordinal);
                var inBatch = line.StartsWith(Date(NewDay), StringComparison.Ordinal) || (IsLateCandidate(line) && random.NextDouble() < LateShare);
                if (header || inBatch == batch)
                {
                    writer.WriteLine(line);
                }
            }
        }

        return path;
    }

    private const double LateShare = 0.01;

    private static bool IsLateCandidate(string line) =>
        line.StartsWith(Date(NewDay.AddDays(-1)), StringComparison.Ordinal) || line.StartsWith(Date(NewDay.AddDays(-2)), StringComparison.Ordinal)
        || line.StartsWith(Date(NewDay.AddDays(-3)), StringComparison.Ordinal);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void Generate(string path, EventGeneratorOptions options)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        new EventGenerator(options).Write(writer);
    }

    private static async Task<List<string>> CountsAsync(string connectionString)
    {
        var project = AssetProject.Load("assets-sql");
        await using var dataSource = BenchServer.Open(connectionString);
        var counts = new List<string>();
        foreach (var key in project.Graph.Keys.Where(k => !project.Graph[k].IsSource))
        {
            await using var command = dataSource.CreateCommand($"select count(*) from \"{project.Graph[key].Schema}\".\"{key}\"");
            counts.Add($"{key}={await command.ExecuteScalarAsync()}");
        }

        return counts;
    }

    private static List<(string Key, double Seconds, string Note)> Steps(string output)
    {
        var lines = output.Split('\n');
        var steps = new List<(string, double, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            var match = StepLine().Match(lines[i]);
            if (match.Success)
            {
                var note = i + 1 < lines.Length && !lines[i + 1].StartsWith('[') && !lines[i + 1].StartsWith("run ", StringComparison.Ordinal) ? lines[i + 1].Trim() : "";
                steps.Add((match.Groups["key"].Value, double.Parse(match.Groups["seconds"].Value, CultureInfo.InvariantCulture), note));
            }
        }

        return steps;
    }

    [GeneratedRegex(@"\] (ok  |FAIL|skip) (?<key>\S+)\s+(?<rows>[\d,]*)( rows)?\s+(?<seconds>[\d.]+)s")]
    private static partial Regex StepLine();

    /// <summary>The run's own time, as the CLI's last line says it (<c>run ... succeeded: 34 asset(s) in 0.8s</c>).</summary>
    [GeneratedRegex(@"asset\(s\) in (\d+(?:\.\d+)?)s\s*$", RegexOptions.Multiline)]
    private static partial Regex EngineSeconds();

    [GeneratedRegex(@"^\s+up to date: ", RegexOptions.Multiline)]
    private static partial Regex UpToDate();
}
