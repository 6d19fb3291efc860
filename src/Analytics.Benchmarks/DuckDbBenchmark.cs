using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Core.Assets;

namespace Analytics.Benchmarks;

/// <summary>
/// <c>$B duckdb</c>: issue 31's full-rebuild reference, its stock-server case. <c>generate-events --users 55000
/// --days 180 --seed 11</c> (1.9 M events) is ingested into PostgreSQL (shared_buffers at PostgreSQL's default 128MB)
/// and built with <c>materialize '*'</c>, every check, then once more with <c>--full-refresh</c>; DuckDB (through its
/// Node bindings, <c>duckdb/reference.mjs</c>) then builds the same assets' SQL, compiled by
/// <see cref="DuckDbReferenceDialect"/>, on the same raw tables exported from PostgreSQL after the ingest, without
/// checks. Each asset's row count is compared between the two.
/// </summary>
internal static partial class DuckDbBenchmark
{
    public static async Task RunAsync(int users, int days, int seed)
    {
        var csv = $"bench-data/stock-{users}u-{days}d-seed{seed}.csv";
        if (!File.Exists(csv))
        {
            Directory.CreateDirectory("bench-data");
            await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "generate-events", "--users", $"{users}", "--days", $"{days}", "--seed", $"{seed}", "--out", csv]);
        }

        Console.WriteLine($"events: {csv} ({File.ReadLines(csv).LongCount() - 1:N0} rows)");
        var project = AssetProject.Load("assets-sql");
        var work = Path.Combine(Path.GetTempPath(), $"analytics-duckdb-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            await using var server = await BenchServer.StartAsync("128MB");
            var db = await server.CreateDatabaseAsync("bench_duckdb");
            var environment = new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_ASSETS"] = Path.GetFullPath("assets-sql") };
            await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", csv], environment);
            var (first, _) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*"], environment);
            var (full, _) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*", "--full-refresh"], environment);
            Console.WriteLine($"PostgreSQL, every check: first build {first.TotalSeconds:0.0} s, full rebuild (--full-refresh) {full.TotalSeconds:0.0} s");

            // What DuckDB starts from: the sources and the snapshot (whose history cannot be rebuilt), as PostgreSQL holds them.
            var raw = Directory.CreateDirectory(Path.Combine(work, "raw")).FullName;
            await using var dataSource = BenchServer.Open(db);
            var counts = new Dictionary<string, long>();
            foreach (var asset in project.Graph.Keys.Select(k => project.Graph[k]))
            {
                var relation = $"\"{asset.Schema}\".\"{asset.Key.Name}\"";
                if (asset.IsSource || asset.Snapshot is not null)
                {
                    await ExportAsync(dataSource, relation, Path.Combine(raw, $"{asset.Schema}.{asset.Key.Name}"));
                }
                else
                {
                    await using var count = dataSource.CreateCommand($"select count(*) from {relation}");
                    counts[asset.Key.Name] = (long)(await count.ExecuteScalarAsync())!;
                }
            }

            var dialect = new DuckDbReferenceDialect();
            var compiled = Path.Combine(work, "compiled.sql");
            await File.WriteAllTextAsync(compiled, string.Concat(project.Graph.TopologicalOrder
                .Where(k => project.Graph[k] is { IsSource: false, Snapshot: null })
                .Select(k => $"-- {project.Graph[k].Schema}.{k}\n{project.Compile(k, dialect).Trim()}\n")));

            var node = Path.GetFullPath("src/Analytics.Benchmarks/duckdb");
            if (!Directory.Exists(Path.Combine(node, "node_modules")))
            {
                await ChildProcess.RunAsync("npm", ["ci", "--prefix", node, "--no-audit", "--no-fund"]);
            }

            var (_, output) = await ChildProcess.RunAsync("node", [Path.Combine(node, "reference.mjs"), compiled, raw, Path.Combine(work, "reference.duckdb")]);
            var duck = double.Parse(Total().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var differ = Built().Matches(output)
                .Where(m => counts.TryGetValue(m.Groups[1].Value, out var rows) && rows != long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture))
                .Select(m => $"{m.Groups[1].Value} ({counts[m.Groups[1].Value]:N0} in PostgreSQL, {long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture):N0} in DuckDB)")
                .ToList();
            Console.Write(output);
            Console.WriteLine($"DuckDB builds {duck:0.0} s, no checks; PostgreSQL's full rebuild {full.TotalSeconds:0.0} s with every check: "
                              + $"{full.TotalSeconds / duck:0.00}x (target at most 2.0x); first build {first.TotalSeconds / duck:0.00}x");
            Console.WriteLine(differ.Count == 0 ? "row counts of every asset equal" : $"row counts DIFFER: {string.Join(", ", differ)}");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The relation as CSV (with a header) and its columns' PostgreSQL types, one "name TAB type" a line.</summary>
    private static async Task ExportAsync(Npgsql.NpgsqlDataSource dataSource, string relation, string path)
    {
        var columns = new StringBuilder();
        await using (var command = dataSource.CreateCommand(
                         $"select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = '{relation}'::regclass and attnum > 0 and not attisdropped order by attnum"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Append(reader.GetString(0)).Append('\t').Append(reader.GetString(1)).Append('\n');
            }
        }

        await File.WriteAllTextAsync(path + ".columns", columns.ToString());
        await using var connection = await dataSource.OpenConnectionAsync();
        using var export = await connection.BeginTextExportAsync($"copy (select * from {relation}) to stdout (format csv, header)");
        await using var file = new StreamWriter(path + ".csv", false, new UTF8Encoding(false), 1 << 20);
        var buffer = new char[1 << 16];
        int read;
        while ((read = await export.ReadAsync(buffer)) > 0)
        {
            await file.WriteAsync(buffer.AsMemory(0, read));
        }
    }

    [GeneratedRegex(@"duckdb builds: ([\d.]+) s")]
    private static partial Regex Total();

    [GeneratedRegex(@"^(\w+)\s+(\d+) rows", RegexOptions.Multiline)]
    private static partial Regex Built();
}
