using System.Text;
using System.Text.RegularExpressions;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Analytics.Postgres.Server;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Benchmarks;

/// <summary>
/// The main job end to end on generated events: ingest, then <c>materialize '*'</c> (every asset and check)
/// through the CLI, against the floor of running the same compiled statements one after another through psql.
/// </summary>
internal static partial class MartsBenchmark
{
    /// <summary>
    /// <paramref name="floor"/>: also run the psql floor and a second pass (off for quick tuning runs);
    /// <paramref name="settings"/>: server settings for the engine's connections, <c>name=value,...</c>.
    /// </summary>
    /// <paramref name="sharedBuffers"/>: the server's shared_buffers, by default what the embedded cluster of
    /// <c>scripts/run</c> and the CLI uses.
    public static async Task RunAsync(long events, bool floor = true, string? settings = null, string? sharedBuffers = null)
    {
        var users = (int)Math.Max(100, events / 36);
        var file = IngestBenchmark.GenerateOnce($"bench-data/events-{users}u-dirty.csv", users, dirtyRate: 0.02);
        Console.WriteLine($"input: {file} ({new FileInfo(file).Length / 1e6:N0} MB, about {events:N0} events)");
        sharedBuffers ??= new EmbeddedPostgresOptions().SharedBuffers;
        await using var server = await BenchServer.StartAsync(sharedBuffers);
        Console.WriteLine($"shared_buffers: {sharedBuffers}");
        var db = await server.CreateDatabaseAsync("bench_marts");
        // Settings travel in the connection's Options, after the app's defaults, so they win over them (an ALTER
        // DATABASE ... SET would not: startup options override it).
        var options = string.Join(' ', (settings ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(setting => $"-c {setting}"));
        if (options.Length > 0)
        {
            db += $";Options={options}";
            Console.WriteLine($"settings: {options}");
        }

        var environment = new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_ASSETS"] = Path.GetFullPath("assets-sql") };
        var (ingest, ingestOutput) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", file], environment);
        Console.WriteLine(ingestOutput.Split('\n').Last(l => l.Contains("loaded", StringComparison.Ordinal)).Trim());
        var (materialize, output) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*"], environment);
        Console.WriteLine($"ingest {ingest.TotalSeconds:0.0} s + materialize '*' {materialize.TotalSeconds:0.0} s = {(ingest + materialize).TotalSeconds:0.0} s end to end");
        foreach (Match step in StepLine().Matches(output))
        {
            Console.WriteLine($"  {step.Groups["key"].Value,-36} {step.Groups["rows"].Value,14} rows {step.Groups["seconds"].Value,7} s");
        }

        await TimeBuildsOneAtATimeAsync(db);
        if (!floor)
        {
            return;
        }

        var script = Path.Combine(Path.GetTempPath(), $"analytics-floor-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, FloorScript(AssetProject.Load("assets-sql")));
        var (psql, _) = await ChildProcess.RunAsync(ChildProcess.Psql,
            ["-h", "127.0.0.1", "-p", server.Server.Port.ToString(), "-U", "postgres", "-d", "bench_marts", "-v", "ON_ERROR_STOP=1", "-q", "-o", "/dev/null",
             "-c", "set jit = off", "-c", "set work_mem = '512MB'", "-f", script]);
        File.Delete(script);
        // Whole, as the first pass was: the run store says the incremental assets are up to date, and psql's floor
        // did not tell it otherwise.
        var (again, _) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*", "--full-refresh"], environment);
        Console.WriteLine($"same statements through psql, one after another: {psql.TotalSeconds:0.0} s");
        Console.WriteLine($"engine materialize '*': {materialize.TotalSeconds:0.0} s, again after psql: {again.TotalSeconds:0.0} s; "
                          + $"ratio to psql {Math.Min(materialize.TotalSeconds, again.TotalSeconds) / psql.TotalSeconds:0.00}");
    }

    /// <summary>
    /// Each asset's build (its CREATE TABLE AS, nothing else: no checks, no analyze) alone on the server, in
    /// topological order, into a scratch table dropped afterwards: the figure to hold against another engine's build
    /// time, free of the engine's overlap of two assets on two cores.
    /// </summary>
    private static async Task TimeBuildsOneAtATimeAsync(string connectionString)
    {
        var project = AssetProject.Load("assets-sql");
        var dialect = PostgresDialect.Instance;
        await using var dataSource = BenchServer.Open(connectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        Console.WriteLine("builds one at a time (CREATE TABLE AS only):");
        var total = TimeSpan.Zero;
        foreach (var key in project.Graph.TopologicalOrder.Where(key => !project.Graph[key].IsSource))
        {
            var scratch = dialect.Relation(project.Graph[key].Schema, key + "__timing");
            await using (var drop = new NpgsqlCommand($"drop table if exists {scratch}", connection))
            {
                await drop.ExecuteNonQueryAsync();
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using (var build = new NpgsqlCommand($"create table {scratch} as\n{project.Compile(key, dialect)}", connection) { CommandTimeout = 0 })
            {
                await build.ExecuteNonQueryAsync();
            }

            total += clock.Elapsed;
            Console.WriteLine($"  {key,-36} {clock.Elapsed.TotalSeconds,7:0.00} s");
            await using var cleanup = new NpgsqlCommand($"drop table {scratch}", connection);
            await cleanup.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"  {"sum",-36} {total.TotalSeconds,7:0.00} s");
    }

    /// <summary>Every statement the engine sends for a full materialization, in topological order, as one psql script.</summary>
    public static string FloorScript(AssetProject project)
    {
        var dialect = PostgresDialect.Instance;
        var script = new StringBuilder();
        foreach (var key in project.Graph.TopologicalOrder)
        {
            var asset = project.Graph[key];
            var target = dialect.Relation(asset.Schema, key);
            if (asset.IsSource || asset.Snapshot is not null)
            {
                // A snapshot merges what changed into its history (nothing, on a second pass over the same source).
                script.AppendLine($"select count(*) from {target};");
            }
            else if (asset.Materialization == Materialization.View)
            {
                script.AppendLine($"begin; drop view if exists {target} cascade; create view {target} with (security_invoker = true) as\n{project.Compile(key, dialect)};\ncommit;");
            }
            else
            {
                var building = dialect.Relation(asset.Schema, key + "__building");
                script.AppendLine($"drop table if exists {building};")
                    .AppendLine($"create table {building} as\n{project.Compile(key, dialect)};")
                    .AppendLine($"analyze {building};")
                    .AppendLine($"begin; drop table if exists {target} cascade; alter table {building} rename to \"{key}\"; commit;");
            }

            foreach (var check in asset.Checks)
            {
                var rendered = check.Expression is null ? check : check with { Expression = project.CompileCheck(key, check, dialect) };
                var failing = CheckSqlBuilder.FailingRows(rendered, target, dialect, other => dialect.Relation(project.Graph[other.Name].Schema, other.Name));
                script.AppendLine($"select failing.*, count(*) over () from ({failing}) as failing limit 5;");
            }
        }

        return script.ToString();
    }

    [GeneratedRegex(@"\] (ok  |FAIL|skip) (?<key>\S+)\s+(?<rows>[\d,]*) rows\s+(?<seconds>[\d.]+)s")]
    private static partial Regex StepLine();
}
