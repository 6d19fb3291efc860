using Analytics.Postgres.Server;

namespace Analytics.Testing;

/// <summary>One throwaway PostgreSQL cluster for the whole test run, stopped and deleted when the process exits.</summary>
public static class SharedServer
{
    private static readonly string Root = Path.Combine(Path.GetTempPath(), $"analytics-test-pg-{Environment.ProcessId}");
    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(StartAsync);

    public static Task<EmbeddedPostgres> InstanceAsync() => Server.Value;

    /// <summary>
    /// Deletes the clusters of earlier test processes that are gone: one killed before its exit handler ran (a test host
    /// torn down, a cancelled run) leaves its cluster behind, and dozens of runs filled a disk.
    /// </summary>
    private static void SweepLeftovers()
    {
        const string Prefix = "analytics-test-pg-";
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(folder)[Prefix.Length..], out var pid) && pid != Environment.ProcessId && !Directory.Exists($"/proc/{pid}"))
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another run is sweeping it, or it is not ours to delete: leave it.
                }
            }
        }
    }

    /// <summary>A new, empty database on the shared server (a source database beside a test's warehouse, say); its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var server = await InstanceAsync();
        var name = prefix + "_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = Npgsql.NpgsqlDataSource.Create(server.ConnectionString()))
        await using (var create = admin.CreateCommand($"create database {name}"))
        {
            await create.ExecuteNonQueryAsync();
        }

        return server.ConnectionString(name);
    }

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        SweepLeftovers();
        var server = await EmbeddedPostgres.StartAsync(Root, new EmbeddedPostgresOptions { Durable = false, SharedBuffers = "128MB" });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless; the server is already stopped.
            }
        };
        return server;
    }
}
