using System.Net;
using Analytics.Testing;
using AppHost.Resources;
using Microsoft.Playwright;

namespace Analytics.AppHost.Tests;

/// <summary>
/// One app as scripts/run starts it (two workers, the sample data run through the gateway), its dashboard opened in
/// Debian's Chromium through the one-time link. Screenshots go to TestResults/screenshots.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), $"analytics-dashboard-{Guid.NewGuid():N}");
    private IPlaywright? _playwright;

    public DistributedApplication App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string Screenshots { get; } = Path.Combine(TestFiles.RepositoryRoot, "TestResults", "screenshots");

    public string SampleRunId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium.Path), $"{Chromium.Path} is missing: scripts/ensure-prerequisites --browser installs Debian's chromium.");
        Assert.True(File.Exists(Path.Combine(AppContext.BaseDirectory, "dashboard", "index.html")),
            "The dashboard is not built into the test output: run scripts/build-web, then build again.");
        App = Program.BuildApp([$"--ANALYTICS_HOME={_home}", $"--Configuration={DistributedAppTests.BuildConfiguration}", "--Workers=2", "--SampleUsers=200"]);
        await App.StartAsync(TextWriter.Null);
        var sample = App.Resource<SampleDataResource>("sample-data");
        using var gateway = new HttpClient { BaseAddress = new Uri(App.Resource<ProjectResource>("gateway").Url!) };
        SampleRunId = sample.RunId!;
        var run = await DistributedAppTests.WaitForRunAsync(gateway, SampleRunId);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());

        Directory.CreateDirectory(Screenshots);
        _playwright = await Playwright.CreateAsync();
        Browser = await Chromium.LaunchAsync(_playwright);
    }

    /// <summary>A page (signed in through the printed link, unless not) that records console errors and requests leaving the dashboard.</summary>
    public async Task<(IPage Page, List<string> Problems)> OpenAsync(bool signIn = true)
    {
        // Signed out, the pages' first API call is answered 401 on purpose; the browser logs that response.
        var (page, problems) = await Chromium.OpenAsync(Browser, App.Dashboard!.Url, text => !signIn && text.Contains("401", StringComparison.Ordinal));
        await page.GotoAsync(signIn ? App.Dashboard!.LoginUrl : App.Dashboard!.Url);
        return (page, problems);
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await App.StopAsync();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
            // PostgreSQL's files may linger a moment after it stops; the temp folder is cleaned eventually.
        }
    }
}

public sealed class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public async Task Every_resource_is_shown_running_after_the_sample_run()
    {
        var (page, problems) = await fixture.OpenAsync();

        var table = page.GetByTestId("resources");
        foreach (var name in new[] { "postgres", "api", "worker", "gateway" })
        {
            await Assertions.Expect(table.Locator($"tr[data-resource='{name}'] .pill")).ToContainTextAsync("running");
        }

        await Assertions.Expect(table.Locator("tr[data-replica='worker-0'] .pill")).ToHaveTextAsync("running");
        await Assertions.Expect(table.Locator("tr[data-replica='worker-1'] .pill")).ToHaveTextAsync("running");
        await Assertions.Expect(table.Locator("tr[data-resource='api']")).ToContainTextAsync("http://127.0.0.1:");
        // Secrets are masked in the environment.
        var environment = await table.Locator("tr[data-resource='api'] table.env").TextContentAsync() ?? "";
        Assert.Contains("Analytics__ApiKey", environment);
        Assert.DoesNotContain(fixture.App.Resource<ParameterResource>("api-key").Value, environment, StringComparison.Ordinal);
        Assert.Contains("********", environment);
        await fixture.ScreenshotAsync(page, "dashboard-resources");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_api_console_lines_appear_and_search_filters_them()
    {
        var (page, problems) = await fixture.OpenAsync();
        await page.GotoAsync(fixture.App.Dashboard!.Url + "/#console");

        await page.GetByLabel("replica").SelectOptionAsync("resource:api");
        await Assertions.Expect(page.GetByTestId("console")).ToContainTextAsync("[api] info: Microsoft.Hosting.Lifetime");
        await Assertions.Expect(page.GetByTestId("console")).ToContainTextAsync("Now listening on: " + fixture.App.Resource<ProjectResource>("api").Url);
        await fixture.ScreenshotAsync(page, "dashboard-console");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task The_sample_run_trace_goes_from_the_gateway_to_each_asset_and_its_sql()
    {
        var (page, problems) = await fixture.OpenAsync();
        await page.GotoAsync(fixture.App.Dashboard!.Url + "/#traces");

        // The run is queued by a POST through the gateway; its trace continues on the worker that ran it.
        var run = page.Locator("tr", new PageLocatorOptions { Has = page.Locator("td", new PageLocatorOptions { HasTextString = "worker-" }) })
            .Filter(new LocatorFilterOptions { HasTextString = "POST" }).First;
        await Assertions.Expect(run).ToBeVisibleAsync(new LocatorAssertionsToBeVisibleOptions { Timeout = 30_000 });
        await run.Locator("a").ClickAsync();

        var waterfall = page.GetByTestId("waterfall");
        await Assertions.Expect(waterfall.Locator("[data-span='materialize run']")).ToHaveCountAsync(1);
        await Assertions.Expect(waterfall.Locator("[data-span='queued run']")).ToHaveCountAsync(1);
        Assert.True(await waterfall.Locator("[data-span^='asset ']").CountAsync() >= 18);
        Assert.True(await waterfall.Locator("[data-span^='check ']").CountAsync() > 18);
        Assert.True(await waterfall.Locator("[data-span='postgresql']").CountAsync() > 18);
        var order = await waterfall.Locator(".span-name").AllInnerTextsAsync();
        Assert.StartsWith("gateway", order[0]);
        Assert.Contains(order, n => n.StartsWith("api", StringComparison.Ordinal));

        await waterfall.Locator("[data-span='asset growth_metrics']").ClickAsync();
        await Assertions.Expect(page.Locator(".span-detail")).ToContainTextAsync("asset growth_metrics");
        await fixture.ScreenshotAsync(page, "dashboard-trace");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Logs_and_metrics_show_what_the_services_exported()
    {
        var (page, problems) = await fixture.OpenAsync();
        await page.GotoAsync(fixture.App.Dashboard!.Url + "/#logs");
        await Assertions.Expect(page.GetByTestId("logs")).ToContainTextAsync($"Run {fixture.SampleRunId} succeeded", new LocatorAssertionsToContainTextOptions { Timeout = 30_000 });

        // Services export metrics every 5 s: look again until the engine's, HTTP's and the runtime's have all arrived.
        IReadOnlyList<string> options = [];
        for (var attempt = 0; attempt < 30; attempt++)
        {
            await page.GotoAsync(fixture.App.Dashboard!.Url + "/#metrics");
            await page.ReloadAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            options = await page.GetByLabel("metric").Locator("option").AllInnerTextsAsync();
            if (options.Any(o => o.Contains("analytics.asset.duration", StringComparison.Ordinal)) && options.Any(o => o.Contains("http.server", StringComparison.Ordinal)))
            {
                break;
            }

            await Task.Delay(1000);
        }

        Assert.Contains(options, o => o.Contains("analytics.asset.duration", StringComparison.Ordinal));
        Assert.Contains(options, o => o.Contains("http.server.request.duration", StringComparison.Ordinal));
        Assert.Contains(options, o => o.Contains("process.runtime.dotnet", StringComparison.Ordinal) || o.Contains("dotnet.", StringComparison.Ordinal));
        var assetDuration = options.First(o => o.Contains("analytics.asset.duration", StringComparison.Ordinal));
        await page.GetByLabel("metric").SelectOptionAsync(new SelectOptionValue { Label = assetDuration });
        await Assertions.Expect(page.Locator("[data-chart='metric'] canvas")).ToHaveCountAsync(1);
        await fixture.ScreenshotAsync(page, "dashboard-metrics");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task Stopping_a_worker_replica_from_the_page_stops_its_process_and_start_brings_it_back()
    {
        var (page, problems) = await fixture.OpenAsync();
        var worker = fixture.App.Resource<ProjectResource>("worker");
        var before = worker.ReplicaStates()[1].ProcessId!.Value;

        var row = page.Locator("tr[data-replica='worker-1']");
        await row.Locator("button[data-action='stop']").ClickAsync();
        await Assertions.Expect(row.Locator(".pill")).ToHaveTextAsync("stopped", new LocatorAssertionsToHaveTextOptions { Timeout = 20_000 });
        Assert.False(DistributedAppTests.IsRunning(before), "the replica's process still runs");
        Assert.True(DistributedAppTests.IsRunning(worker.ReplicaStates()[0].ProcessId!.Value), "the other replica was touched");

        await page.Locator("tr[data-replica='worker-1'] button[data-action='start']").ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-replica='worker-1'] .pill")).ToHaveTextAsync("running", new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        var after = worker.ReplicaStates()[1];
        Assert.NotEqual(before, after.ProcessId);
        Assert.True(DistributedAppTests.IsRunning(after.ProcessId!.Value));
        await Assertions.Expect(page.Locator("tr[data-replica='worker-1']")).ToContainTextAsync("restarts 1");
        Assert.Empty(problems);
    }

    [Fact]
    public async Task A_wrong_or_missing_token_gets_no_data()
    {
        var dashboard = fixture.App.Dashboard!;
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{dashboard.Url}/api/resources")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{dashboard.Url}/login?t=wrong")).StatusCode);
        var forged = new HttpRequestMessage(HttpMethod.Get, $"{dashboard.Url}/api/traces");
        forged.Headers.Add("Cookie", $"{Analytics.Dashboard.DashboardServer.CookieName}={dashboard.Token}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(forged)).StatusCode);
        // OTLP without the services' key is refused too.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsync($"{dashboard.Url}/v1/traces", new ByteArrayContent([]))).StatusCode);

        var login = await http.GetAsync(dashboard.LoginUrl);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("http://127.0.0.1:", dashboard.Url);

        var (page, _) = await fixture.OpenAsync(signIn: false);
        await Assertions.Expect(page.GetByTestId("signed-out")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("tr[data-resource]").CountAsync());
    }
}
