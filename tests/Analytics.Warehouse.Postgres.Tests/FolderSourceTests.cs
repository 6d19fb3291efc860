using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>A source read from a folder of the project (not the landing folder): materializing it loads the files there it has not loaded.</summary>
[Collection(InProcessCli.Collection)]
public sealed class FolderSourceTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Materializing_a_folder_source_loads_its_new_files_once()
    {
        var assets = TestFiles.CopyAssets();
        File.WriteAllText(Path.Combine(assets, "raw", "raw_partner_folder.sql"), """
            /*
            materialization: source
            columns:
              report_date: {type: date, required: true}
              channel: {type: text, required: true}
              topups: {type: integer, required: true, min: 0}
              amount: {type: numeric, required: true}
              fees: numeric
            from: {files: partner-reports, format: xlsx, sheet: Channels}
            */
            """);
        var folder = Path.Combine(Path.GetDirectoryName(assets)!, "partner-reports");
        Directory.CreateDirectory(folder);
        Ingest.PartnerReport.Write(Path.Combine(folder, "2025-01.xlsx"), new DateOnly(2025, 1, 1), 3, seed: 1);
        var settings = new AnalyticsSettings(db.ConnectionString, null, null, assets);
        var output = new StringWriter();

        Assert.True(await CliApp.RunAsync(["materialize", "raw_partner_folder"], output, output, settings) == 0, output.ToString());
        Ingest.PartnerReport.Write(Path.Combine(folder, "2025-02.xlsx"), new DateOnly(2025, 2, 1), 2, seed: 2);
        Assert.True(await CliApp.RunAsync(["materialize", "raw_partner_folder"], output, output, settings) == 0, output.ToString());

        // 12 rows from January's file, 8 from February's; January's was not read twice.
        Assert.Equal(20L, await db.ScalarAsync<long>("select count(*) from raw.raw_partner_folder"));
        Assert.Equal(2L, await db.ScalarAsync<long>("select count(*) from raw.ingest_manifest where source = 'raw_partner_folder'"));
    }
}
