using Analytics.Postgres.Server;
using Npgsql;

namespace Analytics.Warehouse.Postgres.Tests;

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
}
