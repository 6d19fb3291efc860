using System.Diagnostics;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Graph;
using Analytics.Core.Selection;
using Analytics.Core.Templating;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Benchmarks;

/// <summary>
/// Engine overhead: a generated graph of trivial assets (<c>select 1</c>) materialized end to end, against the
/// floor of sending the same statements straight to PostgreSQL; and planning time over a large graph.
/// </summary>
internal static class EngineBenchmark
{
    public static async Task RunAsync(long assets, long planAssets)
    {
        await using var server = await BenchServer.StartAsync();
        await using var dataSource = BenchServer.Open(await server.CreateDatabaseAsync("bench_engine"));
        var project = new AssetProject(Generate((int)assets, "bench").ToList());
        var warehouse = new PostgresWarehouse(dataSource);
        var keys = project.Graph.TopologicalOrder.ToArray();

        // Warm up: first builds create the schema and the tables; the measured runs replace them.
        await new AssetExecutor(project, warehouse, new ExecutorOptions { Parallelism = 1 }).MaterializeAsync(keys);
        foreach (var parallelism in new[] { 1, Environment.ProcessorCount })
        {
            var clock = Stopwatch.StartNew();
            var run = await new AssetExecutor(project, warehouse, new ExecutorOptions { Parallelism = parallelism }).MaterializeAsync(keys);
            if (!run.Succeeded)
            {
                throw new InvalidOperationException("engine benchmark run failed");
            }

            Console.WriteLine($"engine, parallelism {parallelism}: {assets:N0} assets in {clock.Elapsed.TotalSeconds:0.00} s = {clock.Elapsed.TotalMilliseconds / assets:0.00} ms/asset");
        }

        var floor = await FloorAsync(dataSource, project, keys);
        Console.WriteLine($"floor (same SQL statements sent directly, one connection): {floor.TotalMilliseconds / assets:0.00} ms/asset");

        var declared = Generate((int)planAssets, "plan").ToList();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var plan = Stopwatch.StartNew();
            var big = new AssetProject(declared);
            var built = plan.Elapsed;
            plan = Stopwatch.StartNew();
            _ = new AssetGraph(declared.Select(d => d.Item1));
            var graphOnly = plan.Elapsed;
            plan = Stopwatch.StartNew();
            var selected = SelectionParser.Parse($"+plan_{planAssets - 1:D5} or (key:plan_0* and plan_00010+)").ResolveOrdered(big.Graph);
            Console.WriteLine($"planning over {planAssets:N0} declared assets (attempt {attempt}): validation + graph + topological order {built.TotalMilliseconds:0.0} ms, "
                              + $"selection of {selected.Count:N0} assets {plan.Elapsed.TotalMilliseconds:0.0} ms, total {(plan.Elapsed + built).TotalMilliseconds:0.0} ms (the graph alone {graphOnly.TotalMilliseconds:0.0} ms)");
        }
    }

    /// <summary>What the warehouse adapter sends per table asset, sent without the engine around it.</summary>
    private static async Task<TimeSpan> FloorAsync(NpgsqlDataSource dataSource, AssetProject project, IReadOnlyList<string> keys)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        var clock = Stopwatch.StartNew();
        foreach (var key in keys)
        {
            var sql = project.Compile(key, PostgresDialect.Instance);
            var target = $"bench.\"{key}\"";
            var building = $"bench.\"{key}__building\"";
            foreach (var statement in new[]
                     {
                         $"drop table if exists {building}", $"create table {building} as\n{sql}", $"analyze {building}",
                         $"begin; drop table {target} cascade; alter table {building} rename to \"{key}\"; commit",
                     })
            {
                await using var command = new NpgsqlCommand(statement, connection);
                await command.ExecuteNonQueryAsync();
            }
        }

        return clock.Elapsed;
    }

    /// <summary>A layered random DAG: each asset refs up to two earlier ones.</summary>
    private static IEnumerable<(AssetDefinition, SqlTemplate)> Generate(int count, string prefix)
    {
        var random = new Random(1);
        for (var i = 0; i < count; i++)
        {
            var deps = i == 0 ? [] : Enumerable.Range(0, random.Next(3)).Select(_ => $"{prefix}_{random.Next(i):D5}").Distinct().ToList();
            var sql = "select 1 as x" + string.Concat(deps.Select(d => $"\n-- after {{{{ ref('{d}') }}}}"));
            yield return AssetFileParser.Parse($"bench/{prefix}_{i:D5}.sql", "bench", sql);
        }
    }
}
