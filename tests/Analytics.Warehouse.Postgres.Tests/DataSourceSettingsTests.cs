using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

public class DataSourceSettingsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static async Task<string?> ShowAsync(string connectionString, string setting)
    {
        await using var dataSource = PostgresDataSources.Create(connectionString);
        await using var command = dataSource.CreateCommand($"show {setting}");
        return (string?)await command.ExecuteScalarAsync();
    }

    [Fact]
    public async Task Connections_get_the_tuned_defaults()
    {
        Assert.Equal("16MB", await ShowAsync(db.ConnectionString, "work_mem"));
        Assert.Equal("off", await ShowAsync(db.ConnectionString, "jit"));
        Assert.Equal("UTC", await ShowAsync(db.ConnectionString, "TimeZone"));
    }

    [Fact]
    public async Task A_connection_strings_own_options_win_over_the_defaults_and_keep_the_rest()
    {
        var connectionString = db.ConnectionString + ";Options=-c work_mem=4MB -c max_parallel_workers_per_gather=0";

        Assert.Equal("4MB", await ShowAsync(connectionString, "work_mem"));
        Assert.Equal("0", await ShowAsync(connectionString, "max_parallel_workers_per_gather"));
        Assert.Equal("UTC", await ShowAsync(connectionString, "TimeZone"));
    }
}
