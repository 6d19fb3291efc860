using System.Text;
using Analytics.Core.Generation;

namespace Analytics.Benchmarks;

/// <summary>
/// Ingest of a generated CSV through the CLI (validation included) against psql's <c>\copy ... csv header</c> of
/// the same file into an equal table on the same server, and the CLI's peak memory.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task RunAsync(long rows)
    {
        // About 36 events per user over 180 days with the default generator.
        var users = (int)Math.Max(100, rows / 36);
        var file = GenerateOnce($"bench-data/events-{users}u-clean.csv", users, dirtyRate: 0);
        var dirtyFile = GenerateOnce($"bench-data/events-{users}u-dirty.csv", users, dirtyRate: 0.02);
        var lines = File.ReadLines(file).LongCount() - 1;
        Console.WriteLine($"input: {file}, {lines:N0} rows, {new FileInfo(file).Length / 1e6:N0} MB");

        await using var server = await BenchServer.StartAsync();
        var psqlDb = await server.CreateDatabaseAsync("bench_psql");
        await using (var ds = BenchServer.Open(psqlDb))
        {
            await using var command = ds.CreateCommand("""
                create table events (event_time timestamptz not null, user_id text not null, event_type text not null,
                  transaction_category text, miles_amount numeric, platform text, utm_source text, country text)
                """);
            await command.ExecuteNonQueryAsync();
        }

        var (psqlTime, _) = await ChildProcess.RunAsync(ChildProcess.Psql,
            ["-h", "127.0.0.1", "-p", server.Server.Port.ToString(), "-U", "postgres", "-d", "bench_psql", "-c", $"\\copy events from '{Path.GetFullPath(file)}' csv header"]);
        var psqlRate = lines / psqlTime.TotalSeconds;
        Console.WriteLine($"psql \\copy csv:        {psqlTime.TotalSeconds,7:0.00} s  {psqlRate,12:N0} rows/s");

        foreach (var (label, input) in new[] { ("analytics ingest", file), ("analytics ingest 2% dirty", dirtyFile) })
        {
            var db = await server.CreateDatabaseAsync("bench_ours");
            var (time, output) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", input],
                new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_REPORT_MEMORY"] = "1" });
            var rate = lines / time.TotalSeconds;
            var peak = output.Split('\n').First(l => l.StartsWith("peak memory", StringComparison.Ordinal));
            Console.WriteLine($"{label + ":",-26}{time.TotalSeconds,7:0.00} s  {rate,12:N0} rows/s  {rate / psqlRate,5:0.00}x psql  {peak}");
        }
    }

    public static string GenerateOnce(string path, int users, double dirtyRate)
    {
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
            new EventGenerator(new EventGeneratorOptions { Users = users, Days = 180, Seed = 1, DirtyRate = dirtyRate }).Write(writer);
        }

        return path;
    }
}
