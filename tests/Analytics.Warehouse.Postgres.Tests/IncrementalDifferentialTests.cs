using System.Globalization;
using Analytics.Cli;
using Analytics.Core.Assets;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// The heart of incremental materialization: a generated stream of events, split into batches with late events
/// (inside and outside the lookback), duplicates of earlier batches, an empty batch and new months, is loaded batch
/// by batch. After each batch one database runs incrementally and another rebuilds everything from the same input;
/// every table of the graph must be the same, row for row.
/// </summary>
public class IncrementalDifferentialTests
{
    [Theory]
    [InlineData(11)]
    [InlineData(29)]
    [InlineData(47)]
    public async Task Every_table_after_every_batch_equals_a_full_rebuild(int seed)
    {
        var incremental = new DatabaseFixture();
        var full = new DatabaseFixture();
        await Task.WhenAll(incremental.InitializeAsync(), full.InitializeAsync());
        try
        {
            await CompareBatchByBatchAsync(seed, incremental, full);
        }
        finally
        {
            await Task.WhenAll(incremental.DisposeAsync(), full.DisposeAsync());
        }
    }

    private static async Task CompareBatchByBatchAsync(int seed, DatabaseFixture incremental, DatabaseFixture full)
    {
        var project = AssetProject.Load(TestFiles.RepositoryAssets);
        var batches = await EventBatches.GenerateAsync(seed);
        Assert.Contains(batches, b => b.Lines.Count == 0);
        Assert.Contains(batches, b => b.LateOutsideLookback > 0);
        Assert.Contains(batches, b => b.LateInsideLookback > 0);
        Assert.Contains(batches, b => b.Duplicates > 0);
        Assert.Contains(batches, b => b.NewMonth);

        var kinds = new HashSet<string>();
        foreach (var (batch, i) in batches.Select((b, i) => (b, i)))
        {
            var file = batch.Write(TestFiles.Folder(), i);
            var incrementalRun = await RunAsync(incremental, ["ingest", file], ["materialize", "*"]);
            await RunAsync(full, ["ingest", file], ["materialize", "*", "--full-refresh"]);
            if (i > 0)
            {
                kinds.UnionWith(incrementalRun.Split('\n').Where(l => l.TrimStart().StartsWith("incremental", StringComparison.Ordinal)).Select(l => l.Trim()[..11]));
            }

            foreach (var key in project.Graph.Keys.Where(k => !project.Graph[k].IsSource))
            {
                var relation = $"{project.Graph[key].Schema}.{key}";
                var expected = await RowsAsync(full, relation);
                var actual = await RowsAsync(incremental, relation);
                Assert.True(expected.SequenceEqual(actual), Difference(seed, i, batch, relation, expected, actual));
            }
        }

        Assert.Contains("incremental", kinds);
        // Late data older than the lookback was still rebuilt, and recorded as a restatement.
        Assert.True(await incremental.ScalarAsync<long>("select count(*) from runstore.asset_partitions where asset_key = 'fct_events' and reason = 'restated'") > 0);
    }

    private static async Task<string> RunAsync(DatabaseFixture db, string[] ingest, string[] materialize)
    {
        var settings = new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        var output = new StringWriter();
        Assert.True(await CliApp.RunAsync(ingest, output, output, settings) == 0, output.ToString());
        Assert.True(await CliApp.RunAsync([.. materialize, "--parallelism", "2"], output, output, settings) == 0, output.ToString());
        return output.ToString();
    }

    private static async Task<List<string>> RowsAsync(DatabaseFixture db, string relation) =>
        (await db.RowsAsync($"select * from {relation}"))
        .Select(r => string.Join(" | ", r.Select(Format)))
        .Order(StringComparer.Ordinal)
        .ToList();

    private static string Format(object? value) => value switch
    {
        null => "null",
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static string Difference(int seed, int index, EventBatches.Batch batch, string relation, List<string> expected, List<string> actual)
    {
        var missing = expected.Except(actual).Take(5);
        var extra = actual.Except(expected).Take(5);
        return $"seed {seed}, batch {index} ({batch}): {relation} has {actual.Count} rows incrementally, {expected.Count} rebuilt whole.\n"
               + $"missing: {string.Join("\n  ", missing)}\nunexpected: {string.Join("\n  ", extra)}";
    }
}
