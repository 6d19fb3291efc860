using System.Diagnostics;
using System.Text;
using Microsoft.Playwright;

namespace Analytics.Benchmarks;

/// <summary>
/// How fast the web UI draws in headless Chromium (Debian's, under Playwright): /dashboards against the warehouse
/// built from <c>events</c> generated events, the catalog and lineage for the shipped graph, and both again with
/// <c>assets</c> declared assets. Each time is the page's own clock (performance.now() since navigation) when the
/// last element the page promises is on screen: every chart canvas and KPI, every catalog row, every graph node.
/// Needs the solution built in Release and scripts/build-web run.
/// </summary>
internal static class WebBenchmark
{
    private const int Repeats = 5;

    public static async Task RunAsync(long events, long assets)
    {
        var bundle = Directory.GetFiles("web/dist/static").Select(f => new FileInfo(f)).ToList();
        foreach (var file in bundle)
        {
            Console.WriteLine($"bundle {file.Name,-28} {file.Length / 1024.0,8:N1} KiB   gzip {Gzipped(file) / 1024.0,7:N1} KiB");
        }

        var users = (int)Math.Max(100, events / 36);
        var csv = IngestBenchmark.GenerateOnce($"bench-data/events-{users}u-dirty.csv", users, dirtyRate: 0.02);
        await using var server = await BenchServer.StartAsync();
        var db = await server.CreateDatabaseAsync("bench_web");
        var environment = new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_ASSETS"] = Path.GetFullPath("assets-sql") };
        var (ingest, _) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", csv], environment);
        var (build, _) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*"], environment);
        Console.WriteLine($"warehouse from {csv} (about {events:N0} events): ingest {ingest.TotalSeconds:0} s, materialize '*' {build.TotalSeconds:0} s");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu", "--no-first-run"],
        });

        var port = 5900 + Random.Shared.Next(400);
        using (var api = ApiBenchmark.StartService("Analytics.Api", environment, port, inProcessWorker: false))
        {
            (await ApiBenchmark.ReadyClientAsync(port)).Dispose();
            var origin = $"http://127.0.0.1:{port}";
            await ReportAsync(browser, "dashboards, first screen (KPIs, charts in view)", origin + "/dashboards", DashboardFirstScreen);
            await ScrolledDashboardAsync(browser, origin + "/dashboards");
            await ReportAsync(browser, "catalog, shipped graph", origin + "/", Rows(18));
            await ReportAsync(browser, "lineage, shipped graph", origin + "/lineage", Nodes(18));
        }

        var declared = WriteDeclaredAssets((int)assets);
        var large = new Dictionary<string, string>(environment) { ["ANALYTICS_ASSETS"] = declared };
        using (var api = ApiBenchmark.StartService("Analytics.Api", large, port + 1, inProcessWorker: false))
        {
            (await ApiBenchmark.ReadyClientAsync(port + 1)).Dispose();
            var origin = $"http://127.0.0.1:{port + 1}";
            await ReportAsync(browser, $"catalog, {assets:N0} assets", origin + "/", Rows((int)assets));
            await ReportAsync(browser, $"lineage, {assets:N0} assets", origin + "/lineage", Nodes((int)assets));
            await HighlightAsync(browser, origin, (int)assets);
        }

        Directory.Delete(Path.GetDirectoryName(declared)!, recursive: true);
    }

    /// <summary>
    /// The dashboard's first screen drawn: every KPI tile has its value, and every chart the page asked for (those in
    /// or near the viewport; the rest wait until scrolled to) has its canvas.
    /// </summary>
    private const string DashboardFirstScreen = """
        () => { const charts = [...document.querySelectorAll('[data-chart]')];
                const asked = charts.filter(c => c.dataset.state !== 'waiting');
                return charts.length === 9 && asked.length > 0 && asked.every(c => c.dataset.state === 'drawn' && c.querySelector('canvas'))
                  && [...document.querySelectorAll('.kpi-value')].length === 6
                  && [...document.querySelectorAll('.kpi-value')].every(v => v.textContent !== '–') ? performance.now() : null; }
        """;

    /// <summary>Every chart of the dashboard drawn, whether it was on the first screen or scrolled to.</summary>
    private const string DashboardEveryChart = """
        () => { const charts = [...document.querySelectorAll('[data-chart]')];
                return charts.length === 9 && charts.every(c => c.dataset.state === 'drawn' && c.querySelector('canvas')) ? performance.now() : null; }
        """;

    /// <summary>
    /// After the first screen, how long the charts below it take once the reader scrolls straight to the end (all of
    /// them come near the viewport on the way), and how many the first screen drew.
    /// </summary>
    private static async Task ScrolledDashboardAsync(IBrowser browser, string url)
    {
        var times = new List<double>();
        var firstScreen = 0;
        for (var i = 0; i < Repeats; i++)
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
            var page = await context.NewPageAsync();
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            await page.WaitForFunctionAsync(DashboardFirstScreen, null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 10 });
            firstScreen = await page.EvaluateAsync<int>("() => document.querySelectorAll('[data-chart][data-state=drawn]').length");
            var scrolled = await page.EvaluateAsync<double>("async () => { const t = performance.now(); for (const c of document.querySelectorAll('[data-chart]')) { c.scrollIntoView(); await new Promise(r => requestAnimationFrame(r)); } return t; }");
            var handle = await page.WaitForFunctionAsync(DashboardEveryChart, null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 10 });
            times.Add(await handle.JsonValueAsync<double>() - scrolled);
        }

        var sorted = times.Order().ToList();
        Console.WriteLine($"{$"dashboards, the other {9 - firstScreen} charts after a scroll",-40} first {times[0],7:N0} ms   median {sorted[sorted.Count / 2],7:N0} ms   worst {sorted[^1],7:N0} ms");
    }

    /// <summary>The catalog drawn: its first page of rows (300) and the count of every asset.</summary>
    private static string Rows(int count) =>
        $"() => document.querySelectorAll('tr[data-asset]').length >= {Math.Min(count, 300)} && [...document.querySelectorAll('.toolbar .muted')].some(m => m.textContent === '{count} of {count} assets') ? performance.now() : null";

    private static string Nodes(int count) => $"() => document.querySelectorAll('svg.lineage .node').length >= {count} ? performance.now() : null";

    /// <summary>Loads the page <see cref="Repeats"/> times, each in a fresh context; prints the first and the median.</summary>
    private static async Task ReportAsync(IBrowser browser, string what, string url, string drawn)
    {
        var times = new List<double>();
        for (var i = 0; i < Repeats; i++)
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
            var page = await context.NewPageAsync();
            await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
            var handle = await page.WaitForFunctionAsync(drawn, null, new PageWaitForFunctionOptions { Timeout = 120_000, PollingInterval = 10 });
            times.Add(await handle.JsonValueAsync<double>());
            if (i == Repeats - 1 && Environment.GetEnvironmentVariable("BENCH_WEB_TIMINGS") is not null)
            {
                // Where the time went: each request's start and duration on the page's clock.
                Console.WriteLine(await page.EvaluateAsync<string>(
                    "() => [...performance.getEntriesByType('resource'), ...performance.getEntriesByType('measure')].map(e => `  ${Math.round(e.startTime)}+${Math.round(e.duration)} ms ${e.name.replace(location.origin, '')}`).join('\\n')"));
            }
        }

        var sorted = times.Order().ToList();
        Console.WriteLine($"{what,-40} first {times[0],7:N0} ms   median {sorted[sorted.Count / 2],7:N0} ms   worst {sorted[^1],7:N0} ms");
    }

    /// <summary>How long hovering a node in the middle of the large graph takes to light its lineage (the page stays usable).</summary>
    private static async Task HighlightAsync(IBrowser browser, string origin, int count)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(origin + "/lineage");
        await page.WaitForFunctionAsync(Nodes(count), null, new PageWaitForFunctionOptions { Timeout = 120_000 });
        var clock = Stopwatch.StartNew();
        var node = page.Locator($"svg.lineage .node[data-asset='a{count / 2:D5}']");
        await node.DispatchEventAsync("mouseenter");
        await page.WaitForFunctionAsync("() => document.querySelector('svg.lineage.focused') ? true : null");
        Console.WriteLine($"lineage, {count:N0} assets: highlighting one node's lineage took {clock.ElapsedMilliseconds:N0} ms");
    }

    /// <summary>Declared assets in four layers, each reading one or two earlier ones: a catalog to draw, nothing to build.</summary>
    private static string WriteDeclaredAssets(int count)
    {
        var root = Path.Combine(Path.GetTempPath(), $"bench-web-{Guid.NewGuid():N}", "assets-sql");
        var random = new Random(7);
        for (var i = 0; i < count; i++)
        {
            var layer = new[] { "staging", "core", "intermediate", "marts" }[Math.Min(3, i * 4 / count)];
            Directory.CreateDirectory(Path.Combine(root, layer));
            var sql = new StringBuilder($"/*\ndescription: declared asset {i}\ntags: [bench, group{i % 7}]\n*/\n");
            if (i < count / 10)
            {
                sql.Append("select 1 as x");
            }
            else
            {
                var first = random.Next(Math.Max(0, i - count / 4), i);
                var second = random.Next(Math.Max(0, i - count / 4), i);
                sql.Append($"select x from {{{{ ref('a{first:D5}') }}}}");
                if (second != first)
                {
                    sql.Append($" union all select x from {{{{ ref('a{second:D5}') }}}}");
                }
            }

            File.WriteAllText(Path.Combine(root, layer, $"a{i:D5}.sql"), sql.ToString());
        }

        return root;
    }

    private static long Gzipped(FileInfo file)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            using var input = file.OpenRead();
            input.CopyTo(gzip);
        }

        return output.Length;
    }
}
