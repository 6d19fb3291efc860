using System.Text;
using Analytics.Api.Tests;
using Analytics.Cli;
using Analytics.Core.Generation;
using Analytics.Orchestration;
using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Web.Tests;

/// <summary>
/// One app for every browser test: a fresh database with generated events, every shipped asset materialized plus
/// one asset whose check fails on purpose, the API (with its in-process worker) serving the built web UI, and
/// Debian's Chromium under Playwright. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string FailingAsset = "platform_is_ios";

    private readonly DatabaseFixture _db = new();
    private readonly List<IBrowserContext> _opened = [];
    private IPlaywright? _playwright;

    public ApiHost Api { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The database the app reads, its marts materialized.</summary>
    public string ConnectionString => _db.ConnectionString;

    /// <summary>The app's assets folder (the shipped assets and the failing leaf).</summary>
    public string Assets { get; private set; } = "";

    public string Screenshots { get; } = Path.Combine(TestFiles.RepositoryRoot, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium.Path), $"{Chromium.Path} is missing: scripts/ensure-prerequisites --browser installs Debian's chromium.");
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "webui", "index.html")),
            "The web UI is not built into the test output: run scripts/build-web, then build again.");
        await _db.InitializeAsync();
        var assets = Assets = CopyShippedAssets();
        var csv = Path.Combine(TestFiles.Folder(), "events.csv");
        await using (var writer = new StreamWriter(csv, false, new UTF8Encoding(false)))
        {
            new EventGenerator(new EventGeneratorOptions { Users = 300, Days = 120, Seed = 11, DirtyRate = 0.01 }).Write(writer);
        }

        var settings = new AnalyticsSettings(_db.ConnectionString, null, null, assets);
        Assert.Equal(CliApp.Ok, await CliApp.RunAsync(["ingest", csv], TextWriter.Null, TextWriter.Null, settings));
        await LoadSourcesExampleAsync(settings);
        Api = new ApiHost(_db.ConnectionString, assets);
        BaseUrl = Api.Client().BaseAddress!.ToString().TrimEnd('/');
        var client = Api.Client();
        var queued = await (await client.PostRunAsync("*")).JsonAsync();
        await client.WaitForRunAsync(queued.GetProperty("run_id").GetString()!, TimeSpan.FromMinutes(3));

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
    }

    /// <summary>
    /// The example's sources, so the top-ups charts have rows: the app simulator writes an appdb of its own, the CLI extracts
    /// it (the API's run later finds no appdb configured and keeps what was loaded), and a partner report is ingested.
    /// </summary>
    private static async Task LoadSourcesExampleAsync(AnalyticsSettings settings)
    {
        var appDb = await SharedServer.CreateDatabaseAsync("appdb");
        await using (var source = Npgsql.NpgsqlDataSource.Create(appDb))
        {
            await new AppSimulator(source, seed: 11).PrepareAsync(default);
        }

        var output = new StringWriter();
        var withAppDb = settings with { SourceConnections = n => n == "appdb" ? appDb : null };
        Assert.True(await CliApp.RunAsync(["materialize", "+snap_users", "raw_topups"], output, output, withAppDb) == CliApp.Ok, output.ToString());
        // The app changes some tiers (dated just past the extraction's 30-second lag), and the next extraction sees
        // them: the users' history gains versions, so the membership chart has transitions to draw.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await using (var source = Npgsql.NpgsqlDataSource.Create(appDb))
        await using (var change = source.CreateCommand("""
            update users set tier = case tier when 'basic' then 'gold' when 'gold' then 'silver' when 'silver' then 'basic' else 'gold' end,
                             updated_at = now() - interval '30.5 seconds'
            where user_id in (select user_id from users order by user_id limit 40)
            """))
        {
            await change.ExecuteNonQueryAsync();
        }

        Assert.True(await CliApp.RunAsync(["materialize", "raw_users", "snap_users"], output, output, withAppDb) == CliApp.Ok, output.ToString());
        var report = Path.Combine(TestFiles.Folder(), "partner.xlsx");
        Ingest.PartnerReport.Write(report, DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-35)), 40, seed: 5);
        Assert.Equal(CliApp.Ok, await CliApp.RunAsync(["ingest", "--source", "raw_partner_channels", report], output, output, settings));
    }

    /// <summary>The shipped assets plus a leaf whose error-severity check fails: stg_events holds more platforms than ios.</summary>
    private static string CopyShippedAssets()
    {
        var root = TestFiles.CopyAssets();
        Directory.CreateDirectory(Path.Combine(root, "quality"));
        File.WriteAllText(Path.Combine(root, "quality", FailingAsset + ".sql"), """
            /*
            description: Every event comes from iOS (it does not; this check fails on purpose for the UI tests).
            checks:
              - accepted_values: {column: platform, values: [ios]}
            */
            select distinct platform from {{ ref('stg_events') }} where platform is not null
            """);
        return root;
    }

    /// <summary>A page that records console errors and any request that leaves the app's origin.</summary>
    public async Task<(IPage Page, List<string> Problems)> OpenAsync()
    {
        var opened = await Chromium.OpenAsync(Browser, BaseUrl);
        lock (_opened)
        {
            _opened.Add(opened.Page.Context);
        }

        return opened;
    }

    /// <summary>
    /// Closes every page a test opened, so the run streams and polls of one test's pages do not keep running, and
    /// taking connections and CPU, under the next test's.
    /// </summary>
    public async Task CloseOpenedAsync()
    {
        IBrowserContext[] contexts;
        lock (_opened)
        {
            contexts = [.. _opened];
            _opened.Clear();
        }

        foreach (var context in contexts)
        {
            await context.CloseAsync();
        }
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    /// <summary>One part of a page, for the README.</summary>
    public Task ScreenshotAsync(ILocator part, string name) =>
        part.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png") });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        Api?.Dispose();
        await _db.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}
