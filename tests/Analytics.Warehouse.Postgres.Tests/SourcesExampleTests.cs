using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;
using Npgsql;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// The shipped example end to end, through the CLI as a person runs it: the app simulator writes appdb, materializing
/// the top-ups mart extracts appdb's users and top-ups by watermark, a partner's .xlsx report is ingested into its
/// source, and the mart fills up. Without appdb's connection the database sources say so and load nothing.
/// </summary>
[Collection(InProcessCli.Collection)]
public class SourcesExampleTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private string _appDb = "";

    public async Task InitializeAsync()
    {
        _appDb = await SharedServer.CreateDatabaseAsync("appdb");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<(int Exit, string Output, string Error)> RunAsync(bool withAppDb, params string[] args) =>
        InProcessCli.RunAsync(new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets)
        {
            SourceConnections = name => withAppDb && name == "appdb" ? _appDb : null,
        }, args);

    [Fact]
    public async Task The_app_simulator_feeds_the_database_sources_and_the_top_ups_mart_fills_up()
    {
        await using (var appDb = NpgsqlDataSource.Create(_appDb))
        {
            var simulator = new AppSimulator(appDb, seed: 11);
            await simulator.PrepareAsync(default);
            await simulator.TickAsync(default);
        }

        var report = Path.Combine(TestFiles.Folder(), "partner.xlsx");
        var generated = await RunAsync(true, "generate-events", "--partner-report", report, "--days", "40",
            "--start", DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-35)).ToString("yyyy-MM-dd"));
        var ingested = await RunAsync(true, "ingest", "--source", "raw_partner_channels", report);
        var materialized = await RunAsync(true, "materialize", "+topups_by_channel", "+stg_users");

        Assert.True(generated.Exit == 0, generated.Output + generated.Error);
        Assert.True(ingested.Exit == 0, ingested.Output + ingested.Error);
        Assert.Contains("loaded 160, rejected 0", ingested.Output);
        Assert.True(materialized.Exit == 0, materialized.Output + materialized.Error);
        // What the app wrote (bar the last 30 seconds, the lag) is in the raw tables, one row per key.
        await using (var appDb = NpgsqlDataSource.Create(_appDb))
        await using (var count = appDb.CreateCommand("select count(*) from topups where updated_at < now() - interval '30 seconds'"))
        {
            var settled = (long)(await count.ExecuteScalarAsync())!;
            Assert.True(settled > 100, $"{settled} top-ups written");
            Assert.Equal(settled, await db.ScalarAsync<long>("select count(*) from raw.raw_topups"));
        }

        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) - count(distinct topup_id) from raw.raw_topups"));
        var users = await db.ScalarAsync<long>("select count(*) from raw.raw_users");
        Assert.True(users >= 200, $"{users} users extracted");
        // The users' history starts: one current version per user extracted, from their updated_at.
        var snapshot = await RunAsync(true, "materialize", "snap_users");
        Assert.True(snapshot.Exit == 0, snapshot.Output + snapshot.Error);
        Assert.Equal(users, await db.ScalarAsync<long>("select count(*) from snapshots.snap_users where is_current and valid_from = updated_at"));
        // The mart: top-ups per day and channel, its repeat rate a share, the partner's figures beside them.
        Assert.True(await db.ScalarAsync<long>("select count(*) from marts.topups_by_channel") > 20);
        Assert.Equal(await db.ScalarAsync<long>("select count(*) from staging.stg_topups where status = 'succeeded'"),
            await db.ScalarAsync<long>("select sum(topups)::bigint from marts.topups_by_channel"));
        Assert.True(await db.ScalarAsync<long>("select count(*) from marts.topups_by_channel where partner_topups is not null") > 0);
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from marts.topups_by_channel where repeat_rate not between 0 and 1"));
        // Each committed window is recorded in the run store.
        var extractions = await new ExtractionStore(db.DataSource).ListAsync("raw_topups", 100, default);
        Assert.NotEmpty(extractions);
        Assert.All(extractions, e => Assert.Equal(ExtractionStore.Succeeded, e.Status));
        Assert.Equal(await db.ScalarAsync<long>("select count(*) from raw.raw_topups"), extractions.Sum(e => e.Rows));
    }

    [Fact]
    public async Task Without_the_app_database_configured_its_sources_load_nothing_and_say_why()
    {
        var materialized = await RunAsync(false, "materialize", "raw_users");

        Assert.True(materialized.Exit == 0, materialized.Output + materialized.Error);
        // The newest record of raw_users (the class's other test extracts it, with the connection).
        var recorded = (await new ExtractionStore(db.DataSource).ListAsync("raw_users", 1, default))[0];
        Assert.Equal(ExtractionStore.Skipped, recorded.Status);
        Assert.Contains("ConnectionStrings__appdb is not set", recorded.Error);
    }
}
