using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Orchestration.Tests;

public class BuildSweeperTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_half_built_table_left_by_a_killed_worker_is_dropped_and_recorded_on_the_reaped_run()
    {
        var project = AnalyticsEnvironment.LoadAssets(new AnalyticsSettings(null, null, null, TestFiles.RepositoryAssets));
        var warehouse = new PostgresWarehouse(db.DataSource);
        await db.ExecuteAsync("create schema if not exists staging; drop table if exists staging.stg_events__building; "
                              + "create table staging.stg_events__building (x int); "
                              + "create schema if not exists core; drop table if exists core.dim_users__building; create table core.dim_users__building (x int)");
        var runId = await new RunQueue(db.DataSource).EnqueueAsync("*", ["stg_events"], "test");
        var sweeper = new BuildSweeper(project, warehouse, new PostgresAssetLocks(db.DataSource), new RunQueue(db.DataSource), NullLogger<BuildSweeper>.Instance);

        // dim_users is being built by a live run elsewhere: its lock is held, so its table is left alone.
        var locks = new PostgresAssetLocks(db.DataSource);
        await using (var held = await locks.TryAcquireAsync("dim_users", CancellationToken.None))
        {
            Assert.NotNull(held);
            var swept = await sweeper.SweepAsync([runId], CancellationToken.None);
            Assert.Equal(["stg_events"], swept);
        }

        Assert.Null(await db.ScalarAsync<string?>("select to_regclass('staging.stg_events__building')::text"));
        Assert.Equal("core.dim_users__building", await db.ScalarAsync<string?>("select to_regclass('core.dim_users__building')::text"));
        var events = await new RunStoreQueries(db.DataSource).EventsAsync(runId, 0);
        Assert.Contains(events, e => e.Kind == "build_swept" && e.Message!.Contains("stg_events"));
        await db.ExecuteAsync("drop table core.dim_users__building");
    }
}
