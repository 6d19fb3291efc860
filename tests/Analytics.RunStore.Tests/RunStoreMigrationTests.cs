using Analytics.RunStore;
using Analytics.Testing;

namespace Analytics.RunStore.Tests;

public class RunStoreMigrationTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Migrations_applied_again_and_concurrently_run_each_version_once()
    {
        await RunStoreMigrations.ApplyAsync(db.DataSource);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RunStoreMigrations.ApplyAsync(db.DataSource)));

        var versions = await db.RowsAsync("select version from runstore.schema_migrations order by version");
        Assert.Equal(RunStoreMigrations.LatestVersion, versions.Count);
        Assert.Equal(RunStoreMigrations.LatestVersion, (int)versions[^1][0]!);
    }
}

public class RunEventPruningTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Pruning_deletes_old_events_of_finished_runs_only()
    {
        var queue = new RunQueue(db.DataSource);
        var finished = await queue.EnqueueAsync("a", ["a"], "test");
        var running = await queue.EnqueueAsync("b", ["b"], "test");
        await db.ExecuteAsync($"update runstore.runs set status = 'succeeded' where run_id = '{finished}'");
        await db.ExecuteAsync($"update runstore.runs set status = 'running' where run_id = '{running}'");
        await db.ExecuteAsync("update runstore.events set at = now() - interval '40 days'");
        await db.ExecuteAsync($"insert into runstore.events (run_id, kind) values ('{finished}', 'log')");

        var pruned = await queue.PruneEventsAsync(TimeSpan.FromDays(30), CancellationToken.None);

        Assert.Equal(1, pruned);
        Assert.Equal(1L, await db.ScalarAsync<long>($"select count(*) from runstore.events where run_id = '{finished}'"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"select count(*) from runstore.events where run_id = '{running}'"));
    }
}
