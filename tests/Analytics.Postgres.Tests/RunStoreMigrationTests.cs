using Analytics.Testing;
using Analytics.Postgres.RunStore;

namespace Analytics.Postgres.Tests;

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
