using Analytics.Postgres.Server;
using Npgsql;

namespace Analytics.Postgres.Server.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class EmbeddedServerTests
{
    private static bool IsRoot => Environment.UserName == "root";

    [Fact]
    public async Task The_embedded_server_starts_below_a_private_folder_and_says_where_its_cluster_is()
    {
        // A checkout in /root, or ANALYTICS_HOME under `mktemp -d`: mode 700, which the postgres user cannot traverse.
        var home = Path.Combine(Path.GetTempPath(), $"analytics-private-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var root = Path.Combine(home, ".analytics", "postgres");
        try
        {
            string first;
            await using (var server = await EmbeddedPostgres.StartAsync(root, new EmbeddedPostgresOptions { Durable = false }))
            {
                await using var dataSource = NpgsqlDataSource.Create(server.ConnectionString());
                await using var command = dataSource.CreateCommand("create table kept (x int); insert into kept values (42)");
                await command.ExecuteNonQueryAsync();
                first = server.DataDirectory;
            }

            if (IsRoot)
            {
                Assert.False(first.StartsWith(home, StringComparison.Ordinal), $"the postgres user cannot reach {first}");
                Assert.Equal(Path.GetDirectoryName(first), File.ReadLines(Path.Combine(root, EmbeddedPostgres.LocationFile)).First());
            }
            else
            {
                Assert.Equal(Path.Combine(root, "data"), first);
            }

            // Started again from the same folder, it finds the same cluster and its data.
            await using (var again = await EmbeddedPostgres.StartAsync(root, new EmbeddedPostgresOptions { Durable = false }))
            {
                Assert.Equal(first, again.DataDirectory);
                await using var dataSource = NpgsqlDataSource.Create(again.ConnectionString());
                await using var command = dataSource.CreateCommand("select x from kept");
                Assert.Equal(42, await command.ExecuteScalarAsync());
            }

            Assert.Equal("700", Convert.ToString((int)File.GetUnixFileMode(home), 8));
            EmbeddedPostgres.Delete(root);
            Assert.False(Directory.Exists(first), "Delete removes the cluster wherever it was kept");
        }
        finally
        {
            EmbeddedPostgres.Delete(root);
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task The_cli_joins_the_running_apps_cluster_of_the_same_home_and_says_which_database_it_uses()
    {
        // Issue 26, item 3: beside the running app, 'analytics list' started a second cluster and showed every asset as never.
        var home = Path.Combine(Path.GetTempPath(), $"analytics-home-{Guid.NewGuid():N}");
        var cluster = EmbeddedPostgres.ClusterFolder(home);
        try
        {
            // The app (the AppHost's PostgreSQL resource) runs the cluster of this home, with its database.
            await using var app = await EmbeddedPostgres.StartAsync(cluster, new EmbeddedPostgresOptions { Durable = false });
            await using (var admin = NpgsqlDataSource.Create(app.ConnectionString()))
            await using (var create = admin.CreateCommand($"create database {EmbeddedPostgres.Database}"))
            {
                await create.ExecuteNonQueryAsync();
            }

            var settings = new Analytics.Orchestration.AnalyticsSettings(null, null, home, Analytics.Testing.TestFiles.RepositoryAssets);
            var events = Analytics.Testing.TestFiles.Csv("event_time,user_id,event_type", "2025-03-01 10:00:00,u1,share");
            var (exit, _, error) = await Analytics.Testing.InProcessCli.RunAsync(settings, "ingest", events);
            Assert.True(exit == 0, error);
            Assert.Contains($"warehouse: the embedded PostgreSQL of {home}, already running", error);
            Assert.Contains($"database '{EmbeddedPostgres.Database}'", error);
            (exit, var listed, error) = await Analytics.Testing.InProcessCli.RunAsync(settings, "materialize", "raw_events");
            Assert.True(exit == 0, error);

            // What the CLI wrote is in the app's database, and the app's server still runs after the command.
            await using var appDatabase = NpgsqlDataSource.Create(app.ConnectionString(EmbeddedPostgres.Database));
            await using var count = appDatabase.CreateCommand("select count(*) from raw.raw_events");
            Assert.Equal(1L, await count.ExecuteScalarAsync());
            (exit, listed, _) = await Analytics.Testing.InProcessCli.RunAsync(settings, "list", "raw_events");
            Assert.DoesNotContain("never", listed.Split('\n').Single(l => l.StartsWith("raw_events ", StringComparison.Ordinal)));
        }
        finally
        {
            EmbeddedPostgres.Delete(cluster);
            if (Directory.Exists(home))
            {
                Directory.Delete(home, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Started_for_one_command_the_cluster_says_so_and_how_to_point_elsewhere()
    {
        var home = Path.Combine(Path.GetTempPath(), $"analytics-home-{Guid.NewGuid():N}");
        try
        {
            var settings = new Analytics.Orchestration.AnalyticsSettings(null, null, home, Analytics.Testing.TestFiles.RepositoryAssets);
            var (exit, listed, error) = await Analytics.Testing.InProcessCli.RunAsync(settings, "list", "raw_events");

            Assert.True(exit == 0, error);
            Assert.Contains("started for this command", error);
            Assert.Contains("Analytics__Home (ANALYTICS_HOME) or ConnectionStrings__warehouse point it elsewhere", error);
            Assert.Contains("never", listed);
        }
        finally
        {
            EmbeddedPostgres.Delete(EmbeddedPostgres.ClusterFolder(home));
            if (Directory.Exists(home))
            {
                Directory.Delete(home, recursive: true);
            }
        }
    }
}
