using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// Issue 26, item 1: after an incremental run the catalog showed the rows the build wrote (dim_users 100) as the
/// table's size (5,098). Each materialization now records both: the table's size, kept exact across incremental
/// writes by their inserted less deleted rows, and the rows written.
/// </summary>
public class TableSizeTests : IAsyncLifetime
{
    private const string Header = "event_time,user_id,event_type,transaction_category,miles_amount,platform,utm_source,country";
    private readonly DatabaseFixture _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private AnalyticsSettings Settings() => new(_db.ConnectionString, null, null, TestFiles.RepositoryAssets);

    private async Task<string> RunAsync(params string[] args)
    {
        var (exit, output, error) = await InProcessCli.RunAsync(Settings(), args);
        Assert.True(exit == 0, $"analytics {string.Join(' ', args)} exited {exit}:\n{output}{error}");
        return output;
    }

    private static string Event(string time, string user, string type = "miles_earned", string miles = "10") => $"{time},{user},{type},dining,{miles},ios,organic,SG";

    [Fact]
    public async Task After_incremental_runs_every_table_size_recorded_is_its_count_and_rows_written_is_what_changed()
    {
        var users = Enumerable.Range(0, 40).Select(i => Event($"2025-03-{1 + i % 20:00} 10:00:00", $"u{i:00}")).ToArray();
        await RunAsync("ingest", TestFiles.Csv([Header, .. users]));
        await RunAsync("materialize", "*");
        // A late and a new day, from two users, each redeeming more than they earned.
        await RunAsync("ingest", TestFiles.Csv(Header, Event("2025-03-02 11:00:00", "u01", "miles_redeemed", "50"),
            Event("2025-03-25 11:00:00", "u02", "miles_redeemed", "50")));
        await RunAsync("materialize", "*");
        await RunAsync("ingest", TestFiles.Csv(Header, Event("2025-03-26 09:00:00", "u03")));
        await RunAsync("materialize", "*");

        var recorded = await _db.RowsAsync("""
            select distinct on (asset_key) asset_key, table_rows, rows from runstore.materializations
            order by asset_key, materialization_id desc
            """);
        var layers = (await _db.RowsAsync("select table_schema, table_name from information_schema.tables where table_schema in ('raw', 'staging', 'snapshots', 'core', 'marts')"))
            .ToDictionary(r => (string)r[1]!, r => (string)r[0]!);
        // A view stores no rows, so no size is recorded for it.
        var views = (await _db.RowsAsync("select table_name from information_schema.views where table_schema in ('staging', 'core', 'marts')"))
            .Select(r => (string)r[0]!).ToHashSet();
        Assert.Equal(35, recorded.Count);
        foreach (var row in recorded.Where(r => !views.Contains((string)r[0]!)))
        {
            var key = (string)row[0]!;
            var count = await _db.ScalarAsync<long>($"select count(*) from {layers[key]}.{key}");
            Assert.True(row[1] is long size && size == count, $"{key}: recorded {row[1] ?? "null"} rows, holds {count}");
        }

        // dim_users is incremental by key: the last run wrote one user, and the table holds 40.
        var dimUsers = recorded.Single(r => (string)r[0]! == "dim_users");
        Assert.Equal(40L, dimUsers[1]);
        Assert.Equal(1L, dimUsers[2]);

        var listed = (await RunAsync("list", "dim_users users_with_negative_miles")).Split('\n');
        Assert.Matches(@"^dim_users\s.*\s40\s", listed.Single(l => l.StartsWith("dim_users ", StringComparison.Ordinal)));
        Assert.Matches(@"^users_with_negative_miles\s.*\s2\s", listed.Single(l => l.StartsWith("users_with_negative_miles ", StringComparison.Ordinal)));
    }
}
