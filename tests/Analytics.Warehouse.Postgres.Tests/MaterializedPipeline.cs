using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// A class fixture: a fresh database, the CSV files of <see cref="Files"/> ingested in order (each must load), then
/// every shipped asset materialized once; <see cref="Exit"/> and <see cref="Output"/> say how that went.
/// </summary>
public abstract class MaterializedPipeline : IAsyncLifetime
{
    public DatabaseFixture Db { get; } = new();

    public string Output { get; private set; } = "";

    public int Exit { get; private set; }

    /// <summary>Each file's lines, header first.</summary>
    protected abstract IEnumerable<string[]> Files { get; }

    public async Task InitializeAsync()
    {
        await Db.InitializeAsync();
        var settings = new AnalyticsSettings(Db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        var output = new StringWriter();
        foreach (var lines in Files)
        {
            Assert.True(await CliApp.RunAsync(["ingest", TestFiles.Csv(lines)], output, output, settings) == 0, output.ToString());
        }

        Exit = await CliApp.RunAsync(["materialize", "*"], output, output, settings);
        Output = output.ToString();
    }

    public Task DisposeAsync() => Db.DisposeAsync();
}
