using System.Text.RegularExpressions;
using Analytics.Api.Tests;
using Analytics.Core.Assets;
using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.Web.Tests;

/// <summary>Each page of the web UI in headless Chromium against the real API, run store and warehouse.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebUiTests(BrowserFixture app) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => app.CloseOpenedAsync();

    private static readonly string[] ShippedAssets = AssetProject.Load(TestFiles.RepositoryAssets).Graph.Keys.ToArray();

    private static readonly LocatorAssertionsToBeVisibleOptions Soon = new() { Timeout = 15_000 };

    /// <summary>
    /// Scrolls to each dashboard chart in turn (they draw as they come near the viewport) and waits until each has
    /// drawn, from its data or with its message.
    /// </summary>
    private static async Task DrawEveryChartAsync(IPage page)
    {
        foreach (var chart in await page.Locator("[data-chart]").AllAsync())
        {
            await chart.ScrollIntoViewIfNeededAsync();
            await Assertions.Expect(chart).ToHaveAttributeAsync("data-state", "drawn", new() { Timeout = 15_000 });
        }
    }

    /// <summary>
    /// Clicks what queues a run (asking for the key first, which the page's dialog handler answers) and waits for the
    /// run page. It waits on the queueing POST itself, so a slow or refused answer fails here with its status and
    /// detail, rather than as a page that never moved.
    /// </summary>
    private static async Task QueueByClickAsync(IPage page, Func<Task> click)
    {
        var queued = await page.RunAndWaitForResponseAsync(click,
            r => r.Request.Method == "POST" && r.Url.EndsWith("/api/runs", StringComparison.Ordinal), new() { Timeout = 45_000 });
        Assert.True(queued.Status == 202, $"POST /api/runs answered {queued.Status}: {await queued.TextAsync()}");
        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"), new() { Timeout = 15_000 });
    }

    private static async Task ExpectNoProblemsAsync(List<string> problems)
    {
        await Task.Delay(200);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task The_catalog_lists_every_shipped_asset_with_its_status_and_filters_them()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/");

        await Assertions.Expect(page.Locator("tr[data-asset]").First).ToBeVisibleAsync(Soon);
        var keys = await page.Locator("tr[data-asset]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.asset)");
        Assert.Superset(ShippedAssets.ToHashSet(), keys.ToHashSet());
        await Assertions.Expect(page.Locator("tr[data-asset='growth_metrics'] .badge")).ToHaveTextAsync("fresh");
        await Assertions.Expect(page.Locator($"tr[data-asset='{BrowserFixture.FailingAsset}'] .badge")).ToHaveTextAsync("failed");
        await app.ScreenshotAsync(page, "catalog");

        await page.GetByLabel("layer").SelectOptionAsync("marts");
        Assert.Equal(17, await page.Locator("tr[data-asset]").CountAsync());
        await page.GetByLabel("Search").FillAsync("retention");
        var shown = await page.Locator("tr[data-asset]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.asset)");
        Assert.Superset(new HashSet<string> { "acquisition_channel_retention", "retention_cohorts", "retention_quality_framework" }, shown.ToHashSet());
        Assert.DoesNotContain("miles_analytics", shown);
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task The_lineage_draws_every_asset_highlights_its_lineage_and_a_click_opens_it()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/lineage");

        await Assertions.Expect(page.Locator("svg.lineage .node").First).ToBeVisibleAsync(Soon);
        var drawn = await page.Locator("svg.lineage .node").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.asset)");
        Assert.Superset(ShippedAssets.ToHashSet(), drawn.ToHashSet());
        Assert.True(await page.Locator("svg.lineage .edge").CountAsync() >= ShippedAssets.Length - 1);
        await app.ScreenshotAsync(page, "lineage");

        // Issue 26: edges ran under the nodes between them, had no arrowheads, and long names were cut off.
        var crossings = await page.EvaluateAsync<string[]>("""
            () => {
              const boxes = [...document.querySelectorAll('svg.lineage .node')].map(n => {
                const [x, y] = n.getAttribute('transform').match(/-?[\d.]+/g).map(Number);
                const box = n.querySelector('rect.box');
                return { key: n.dataset.asset, x, y, width: Number(box.getAttribute('width')), height: Number(box.getAttribute('height')) };
              });
              const found = [];
              for (const edge of document.querySelectorAll('svg.lineage .edge')) {
                const [from, to] = edge.dataset.edge.split('->');
                const length = edge.getTotalLength();
                for (let at = 0; at <= length; at += 3) {
                  const p = edge.getPointAtLength(at);
                  const hit = boxes.find(b => b.key !== from && b.key !== to && p.x > b.x + 1 && p.x < b.x + b.width - 1 && p.y > b.y + 1 && p.y < b.y + b.height - 1);
                  if (hit) { found.push(`${edge.dataset.edge} crosses ${hit.key}`); break; }
                }
                if (getComputedStyle(edge).markerEnd === 'none') found.push(`${edge.dataset.edge} has no arrowhead`);
              }
              for (const node of document.querySelectorAll('svg.lineage .node')) {
                const name = node.querySelector('text');
                if (name.textContent !== node.dataset.asset) found.push(`${node.dataset.asset} is shown as '${name.textContent}'`);
                if (name.getComputedTextLength() + 14 > Number(node.querySelector('rect.box').getAttribute('width'))) found.push(`${node.dataset.asset}'s name overflows its box`);
              }
              return found;
            }
            """);
        Assert.True(crossings.Length == 0, string.Join("\n", crossings));

        // A selection in the API's syntax lights what it selects.
        await page.GetByLabel("Selection").FillAsync("+growth_metrics");
        await Assertions.Expect(page.Locator("[role=status]", new() { HasText = "selected" })).ToBeVisibleAsync(Soon);
        var selected = await page.Locator("svg.lineage .node.lit").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.asset)");
        Assert.Contains("growth_metrics", selected);
        Assert.Contains("stg_events", selected);
        Assert.DoesNotContain("miles_analytics", selected);
        await page.GetByLabel("Selection").FillAsync("tag:nosuchtag");
        await Assertions.Expect(page.Locator("[role=status]", new() { HasText = "no asset has the tag 'nosuchtag'" })).ToBeVisibleAsync(Soon);
        // The browser logs that 400 as a console error; it is the answer this step asked for.
        problems.RemoveAll(p => p.Contains("status of 400", StringComparison.Ordinal));
        await page.GetByLabel("Selection").FillAsync("");

        async Task<string[]> LitAfterHoverAsync(string key)
        {
            await page.Locator($"svg.lineage .node[data-asset='{key}']").HoverAsync();
            return await page.Locator("svg.lineage .node.lit").EvaluateAllAsync<string[]>("nodes => nodes.map(n => n.dataset.asset)");
        }

        var aroundGrowth = await LitAfterHoverAsync("growth_metrics");
        Assert.Contains("stg_events", aroundGrowth); // upstream
        Assert.DoesNotContain("miles_analytics", aroundGrowth); // neither upstream nor downstream
        Assert.Contains("growth_metrics", await LitAfterHoverAsync("stg_events")); // downstream

        await page.Locator("svg.lineage .node[data-asset='growth_metrics']").ClickAsync();
        await page.WaitForURLAsync("**/assets/growth_metrics");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("growth_metrics");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task An_asset_page_shows_sql_columns_history_and_a_preview()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/assets/growth_metrics");

        await Assertions.Expect(page.Locator("table.grid.data tbody tr").First).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator("pre.sql").First).ToContainTextAsync("ref('");
        await Assertions.Expect(page.Locator("pre.sql").Nth(1)).ToContainTextAsync("\"core\".");
        Assert.True(await page.Locator("pre.sql .sql-keyword").CountAsync() > 5);
        var columns = await page.Locator("table.columns tbody td:first-child").AllTextContentsAsync();
        Assert.Contains("dau", columns);
        Assert.Contains("stickiness", columns);
        await Assertions.Expect(page.Locator("[data-chart='history'] canvas")).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator(".lineage-links a", new() { HasText = "growth_accounting" })).ToBeVisibleAsync();
        await app.ScreenshotAsync(page, "asset");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task No_asset_page_scrolls_sideways_at_1280_pixels_or_wider()
    {
        // Issue 26, item 4: at 1440 x 900, 14 of 18 asset pages were 1,516 to 2,796 px wide, the compiled SQL off screen.
        var (page, problems) = await app.OpenAsync();
        var wide = new List<string>();
        foreach (var width in new[] { 1280, 1440 })
        {
            await page.SetViewportSizeAsync(width, 900);
            foreach (var key in ShippedAssets)
            {
                await page.GotoAsync(app.BaseUrl + $"/assets/{key}");
                await Assertions.Expect(page.Locator("pre.sql").First).ToBeVisibleAsync(Soon);
                await Assertions.Expect(page.Locator(".preview[data-loaded='true']")).ToBeVisibleAsync(Soon);
                var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
                if (scrollWidth > width)
                {
                    wide.Add($"{key} at {width}: {scrollWidth} px");
                }
            }
        }

        Assert.True(wide.Count == 0, string.Join("\n", wide));
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task A_failing_check_shows_its_sample_rows()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + $"/assets/{BrowserFixture.FailingAsset}");

        var check = page.Locator(".check.check-failed");
        await Assertions.Expect(check).ToBeVisibleAsync(Soon);
        await Assertions.Expect(check.Locator(".badge")).ToHaveTextAsync("failed");
        var sample = await check.Locator("table.sample tbody td").AllTextContentsAsync();
        Assert.Contains("android", sample);
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task Materializing_from_the_page_starts_a_run_that_the_run_page_follows_live_to_success()
    {
        var (page, problems) = await app.OpenAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(ApiHost.ApiKey);
        await page.GotoAsync(app.BaseUrl + "/assets/quick_ratio_analysis");

        await page.GetByRole(AriaRole.Button, new() { Name = "With upstream" }).ClickAsync();
        // As long as the run's own wait below: under the whole suite's load (two cores, the integration tests' builds
        // beside it) the queueing and the run page's first load once took longer than the default 30 s.
        await page.WaitForURLAsync(new Regex("/runs/[0-9a-f-]{36}$"), new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator("h1 .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 90_000 });
        var steps = await page.Locator("tr[data-step]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.step + ':' + r.dataset.status)");
        Assert.Contains("quick_ratio_analysis:succeeded", steps);
        Assert.Contains("stg_events:succeeded", steps);
        Assert.True(await page.Locator(".gantt .bar.run-succeeded").CountAsync() >= steps.Length - 1);
        await app.ScreenshotAsync(page, "run");

        await page.Locator("nav a", new() { HasText = "Runs" }).ClickAsync();
        await Assertions.Expect(page.Locator("tr[data-run]").First).ToBeVisibleAsync(Soon);
        await page.GetByLabel("status").SelectOptionAsync("succeeded");
        await Assertions.Expect(page.Locator("tr[data-run] .badge").First).ToHaveTextAsync("succeeded");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task The_automation_page_shows_the_shipped_schedules_and_pauses_and_resumes_one()
    {
        var (page, problems) = await app.OpenAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(ApiHost.ApiKey);
        await page.GotoAsync(app.BaseUrl + "/automation");

        var daily = page.Locator("tr[data-schedule='daily_report']");
        await Assertions.Expect(daily).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator("tr[data-schedule='every_10_minutes']")).ToContainTextAsync("*/10 * * * *");
        await Assertions.Expect(daily).ToContainTextAsync("Asia/Singapore");
        await Assertions.Expect(page.Locator("#sensors")).ToContainTextAsync("Watching");
        await Assertions.Expect(page.Locator("#alerts")).ToContainTextAsync("No channel configured");
        await app.ScreenshotAsync(page, "automation");

        await daily.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Assertions.Expect(daily.Locator(".badge", new() { HasText = "paused" })).ToBeVisibleAsync(Soon);
        await daily.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await Assertions.Expect(daily.GetByRole(AriaRole.Button, new() { Name = "Pause" })).ToBeVisibleAsync(Soon);
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task Every_dashboard_chart_draws_data_on_a_non_blank_canvas()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/dashboards");

        await Assertions.Expect(page.Locator("[data-kpi='dau'] .kpi-value")).Not.ToHaveTextAsync("–", new() { Timeout = 15_000 });
        var charts = page.Locator("[data-chart]");
        await Assertions.Expect(charts).ToHaveCountAsync(13);
        // The first screen's charts draw; the last, far below the fold, has asked for nothing until it is scrolled to.
        await Assertions.Expect(charts.First).ToHaveAttributeAsync("data-state", "drawn", new() { Timeout = 15_000 });
        Assert.Equal("waiting", await charts.Last.GetAttributeAsync("data-state"));
        await DrawEveryChartAsync(page);
        foreach (var id in await charts.EvaluateAllAsync<string[]>("cs => cs.map(c => c.dataset.chart)"))
        {
            var canvas = page.Locator($"[data-chart='{id}'] canvas").First;
            await Assertions.Expect(canvas).ToBeVisibleAsync(Soon);
            // Pixels that are neither transparent nor white: the chart drew axes, bars or lines, not just a frame.
            var inked = await canvas.EvaluateAsync<int>("""
                c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
                       for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++; return n; }
                """);
            Assert.True(inked > 2_000, $"chart {id} drew only {inked} pixels");
        }

        Assert.Empty(await page.Locator(".panel .message.error").AllTextContentsAsync());
        await app.ScreenshotAsync(page, "dashboards");
        await page.Locator("button[data-grain='month']").ClickAsync();
        await Assertions.Expect(page.Locator("h2", new() { HasText = "Growth accounting by month" })).ToBeVisibleAsync();
        Assert.Contains("grain=month", page.Url);
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task No_legend_or_colour_scale_overlaps_an_axis_and_the_largest_category_leads_the_legend()
    {
        // Issue 26, item 5: the cohort heatmap's scale sat on its period labels; on category engagement the axis name
        // sat on the legend, and the largest category was on the legend's second page.
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/dashboards");
        await Assertions.Expect(page.Locator("[data-chart]")).ToHaveCountAsync(13);
        await DrawEveryChartAsync(page);
        await page.WaitForFunctionAsync("() => { const charts = [...document.querySelectorAll('[data-chart]')]; return charts.length === 13 && charts.every(c => c.chartInstance); }",
            null, new() { Timeout = 15_000 });

        // As ECharts laid them out: each axis's texts (labels and name), and the legend's and colour scale's boxes.
        var overlaps = await page.EvaluateAsync<string[]>("""
            () => {
              const found = [];
              const box = el => { const r = el.getBoundingRect().clone(); const m = el.getComputedTransform(); if (m) r.applyTransform(m); return r; };
              for (const el of document.querySelectorAll('[data-chart]')) {
                const chart = el.chartInstance;
                if (!chart) { found.push(`${el.dataset.chart}: not drawn`); continue; }
                const views = chart._componentsViews.filter(v => v.__model && v.group);
                const texts = [];
                for (const view of views.filter(v => v.__model.mainType === 'xAxis' || v.__model.mainType === 'yAxis'))
                  view.group.traverse(child => { if (child.type === 'text' && child.style && child.style.text) texts.push({ axis: view.__model.mainType, text: child.style.text, rect: box(child) }); });
                for (const view of views.filter(v => v.__model.mainType === 'legend' || v.__model.mainType === 'visualMap')) {
                  const rect = box(view.group);
                  if (rect.width === 0) continue;
                  for (const text of texts)
                    if (rect.intersect(text.rect)) found.push(`${el.dataset.chart}: the ${view.__model.mainType} covers '${text.text}' of the ${text.axis}`);
                }
              }
              return found;
            }
            """);
        Assert.True(overlaps.Length == 0, string.Join("\n", overlaps));

        var firstAndLargest = await page.Locator("[data-chart='category-engagement']").EvaluateAsync<string[]>("""
            el => {
              const option = el.chartInstance.getOption();
              const totals = option.series.map(s => [s.name, s.data.reduce((a, b) => a + b, 0)]);
              totals.sort((a, b) => b[1] - a[1]);
              return [option.series[0].name, totals[0][0]];
            }
            """);
        Assert.Equal(firstAndLargest[1], firstAndLargest[0]);
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task Every_run_status_badge_has_a_look_of_its_own()
    {
        // Issue 26, item 6: queued and running badges shared one colour.
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/runs");
        await Assertions.Expect(page.Locator("tr[data-run]").First).ToBeVisibleAsync(Soon);

        var looks = await page.EvaluateAsync<string[]>("""
            () => ['queued', 'running', 'succeeded', 'failed'].map(status => {
              const badge = document.createElement('span');
              badge.className = `badge run-${status}`;
              document.body.append(badge);
              const style = getComputedStyle(badge);
              const look = `${style.backgroundColor} ${style.color} ${style.boxShadow}`;
              badge.remove();
              return look;
            })
            """);

        Assert.Equal(looks.Length, looks.Distinct().Count());
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task A_chart_added_to_dashboards_yml_alone_is_drawn_on_the_page_and_built_into_the_superset_bundle()
    {
        // Issue 26: a chart was written twice, in TypeScript and in C#. Now one entry in dashboards.yml, nothing else.
        var assets = TestFiles.CopyAssets(app.Assets);
        // Two charts at the end of the growth dashboard, before the security dashboard's entry.
        var file = Path.Combine(assets, "dashboards.yml");
        await File.WriteAllTextAsync(file, (await File.ReadAllTextAsync(file)).Replace("\n  security:\n", "\n" + """
                  - id: negative-balances
                    title: Lowest balances of users below zero
                    mart: users_with_negative_miles
                    kind: hbar
                    x: user_id
                    order: min_balance
                    y_name: miles
                    series:
                      - { column: min_balance, label: lowest balance }
                  - id: wrong-column
                    title: A chart naming a column its mart lacks
                    mart: growth_metrics
                    kind: line
                    x: date
                    series:
                      - { column: daus, label: DAU }
            """ + "\n  security:\n"));
        using var api = new ApiHost(app.ConnectionString, assets, inProcessWorker: false);
        using var declared = System.Text.Json.JsonDocument.Parse(await api.Client().GetStringAsync("/api/dashboards"));
        var declaredProblems = declared.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Single(declaredProblems);
        Assert.Contains("'wrong-column' reads column 'daus', which growth_metrics does not have. Did you mean 'dau'", declaredProblems[0]);
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(api.Client().BaseAddress!.ToString().TrimEnd('/') + "/dashboards");

        await Assertions.Expect(page.Locator("[data-chart]")).ToHaveCountAsync(15);
        await DrawEveryChartAsync(page);
        var added = page.Locator("[data-chart='negative-balances'] canvas").First;
        await Assertions.Expect(added).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator("h2", new() { HasText = "Lowest balances of users below zero" })).ToBeVisibleAsync();
        // The column no mart has is named with the file and line, and the closest column.
        await Assertions.Expect(page.Locator(".message.error", new() { HasText = "'wrong-column' reads column 'daus', which growth_metrics does not have. Did you mean 'dau'" }))
            .ToBeVisibleAsync(Soon);
        Assert.Matches(@"assets-sql/dashboards\.yml:\d+:", await page.Locator(".message.error").First.TextContentAsync());
        // Expected here: that chart's query is a 400, and this page talks to its own API rather than the fixture's.
        problems.RemoveAll(p => p.Contains("status of 400", StringComparison.Ordinal)
                                || p.StartsWith("request left the origin: " + api.Client().BaseAddress!.ToString().TrimEnd('/'), StringComparison.Ordinal));

        var project = Analytics.Core.Assets.AssetProject.Load(assets);
        var marts = project.Graph.Keys.Where(k => project.Graph[k].Layer == "marts")
            .Select(k => new Analytics.Superset.MartTable(k, "marts", "", [new Analytics.Core.Execution.ColumnInfo("user_id", "text"),
                new Analytics.Core.Execution.ColumnInfo("min_balance", "numeric")])).ToList();
        var bundle = Analytics.Superset.BundleBuilder.Build(marts, project.Dashboards, "postgresql://u@h/d", DateTimeOffset.UnixEpoch);
        Assert.Contains("charts/negative-balances.yaml", bundle.Files.Keys);
        Assert.Contains("slice_name: Lowest balances of users below zero", bundle.Files["charts/negative-balances.yaml"]);
        Assert.Contains("orientation: horizontal", bundle.Files["charts/negative-balances.yaml"]);
        Assert.Empty(Analytics.Superset.BundleValidator.Validate(bundle));
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task A_runs_page_has_its_event_log_filterable_by_asset_and_kind_and_each_step_opens_its_own()
    {
        // Issue 26, runs as Dagster shows them: every event of the run, filterable; a step's log is its events.
        using var runs = System.Text.Json.JsonDocument.Parse(await app.Api.Client().GetStringAsync("/api/runs?page_size=50"));
        var runId = runs.RootElement.GetProperty("runs").EnumerateArray().First(r => r.GetProperty("selection").GetString() == "*").GetProperty("run_id").GetString();
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + $"/runs/{runId}");

        var rows = page.Locator("table.events tbody tr");
        await Assertions.Expect(page.Locator("table.events tr[data-event-kind='run_finished']")).ToBeVisibleAsync(Soon);
        var kinds = (await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.eventKind)")).ToHashSet();
        Assert.Superset(new HashSet<string> { "run_started", "step_started", "materialization", "check_result", "step_finished", "run_finished" }, kinds);

        await page.GetByLabel("event asset").SelectOptionAsync("growth_metrics");
        var assets = await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.eventAsset)");
        Assert.True(assets.Length >= 3, string.Join(", ", assets));
        Assert.All(assets, a => Assert.Equal("growth_metrics", a));
        await page.GetByLabel("event kind").SelectOptionAsync("check_result");
        var checks = await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.eventKind)");
        Assert.NotEmpty(checks);
        Assert.All(checks, k => Assert.Equal("check_result", k));

        await page.GetByLabel("event kind").SelectOptionAsync("");
        await page.Locator("button[data-step-log='stg_events']").ClickAsync();
        Assert.Equal("stg_events", await page.GetByLabel("event asset").InputValueAsync());
        Assert.All(await rows.EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.eventAsset)"), a => Assert.Equal("stg_events", a));
        await app.ScreenshotAsync(page, "run");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task An_incremental_assets_page_draws_its_partitions_with_why_each_was_built()
    {
        // Issue 26: the partitions 'analytics intervals' knows, drawn as a strip over time on the asset page.
        using var view = System.Text.Json.JsonDocument.Parse(await app.Api.Client().GetStringAsync("/api/assets/fct_events/partitions"));
        var total = view.RootElement.GetProperty("total").GetInt32();
        var gaps = view.RootElement.GetProperty("gaps").GetArrayLength();
        Assert.True(total > 60, $"{total} partitions");
        Assert.Equal("day", view.RootElement.GetProperty("grain").GetString());
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/assets/fct_events");

        var cells = page.Locator(".partition-strip .cell");
        await Assertions.Expect(cells.First).ToBeVisibleAsync(Soon);
        Assert.Equal(Math.Min(total + gaps, 400), await cells.CountAsync());
        var first = view.RootElement.GetProperty("partitions")[0];
        var cell = page.Locator($".partition-strip .cell[data-partition='{first.GetProperty("start").GetString()}']");
        Assert.Equal(first.GetProperty("reason").GetString(), await cell.GetAttributeAsync("data-reason"));
        Assert.Contains("built", await cell.GetAttributeAsync("title"));
        // Each cell has the colour its reason has in the legend.
        var mismatched = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('.partition-strip .cell[data-reason]:not([data-reason=gap])')]
              .filter(c => { const swatch = document.querySelector(`.legend .swatch.reason-${c.dataset.reason}`);
                             return !swatch || getComputedStyle(swatch).backgroundColor !== getComputedStyle(c).backgroundColor; })
              .map(c => `${c.dataset.partition} (${c.dataset.reason}): ${getComputedStyle(c).backgroundColor}`)
            """);
        Assert.True(mismatched.Length == 0, string.Join(", ", mismatched.Take(5)));
        await Assertions.Expect(page.Locator(".partitions .muted")).ToContainTextAsync($"{total} day partition(s) on event_date");

        // An asset without date partitions has no strip.
        await page.GotoAsync(app.BaseUrl + "/assets/quick_ratio_analysis");
        await Assertions.Expect(page.Locator(".preview[data-loaded='true']")).ToBeVisibleAsync(Soon);
        Assert.Equal(0, await page.Locator(".partition-strip").CountAsync());
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task The_asset_page_backfills_a_chosen_range_and_runs_a_full_refresh_and_the_run_page_shows_each_steps_statements()
    {
        // Issue 26: buttons that backfill a chosen range and run a full refresh; each step's SQL with its timings.
        using var view = System.Text.Json.JsonDocument.Parse(await app.Api.Client().GetStringAsync("/api/assets/fct_events/partitions"));
        var starts = view.RootElement.GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("start").GetString()!).Order().ToList();
        var (from, to) = (starts[^3], starts[^2]);
        var (page, problems) = await app.OpenAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(ApiHost.ApiKey);
        await page.GotoAsync(app.BaseUrl + "/assets/fct_events");

        var form = page.GetByRole(AriaRole.Form, new() { Name = "backfill" });
        await Assertions.Expect(form).ToBeVisibleAsync(Soon);
        await page.GetByLabel("backfill from").FillAsync(from);
        await page.GetByLabel("backfill to").FillAsync(to);
        await form.GetByRole(AriaRole.Checkbox).UncheckAsync();
        await app.ScreenshotAsync(page.Locator(".partitions"), "asset-partitions");
        await QueueByClickAsync(page, () => form.GetByRole(AriaRole.Button, new() { Name = "Backfill" }).ClickAsync());
        await Assertions.Expect(page.Locator("h1 .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator(".run-head .meta")).ToContainTextAsync($"backfill {from}..{to}");
        Assert.Equal(["fct_events"], await page.Locator("tr[data-step]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.step)"));
        var runId = page.Url[(page.Url.LastIndexOf('/') + 1)..];
        using (var run = System.Text.Json.JsonDocument.Parse(await app.Api.Client().GetStringAsync($"/api/runs/{runId}")))
        {
            Assert.Equal(from, run.RootElement.GetProperty("backfill_from").GetString());
        }

        await Assertions.Expect(page.Locator("table.events tr[data-event-kind='run_finished']")).ToBeVisibleAsync(Soon);
        await page.Locator("button[data-step-details='fct_events']").ClickAsync();
        var statements = page.Locator("tr[data-step-detail='fct_events'] li.statement");
        await Assertions.Expect(statements.First).ToBeVisibleAsync(Soon);
        Assert.True(await statements.CountAsync() >= 2);
        var timings = await statements.EvaluateAllAsync<double[]>("items => items.map(i => Number(i.dataset.statementMs))");
        Assert.All(timings, t => Assert.True(t >= 0));
        Assert.Contains("fct_events", string.Join("\n", await statements.Locator("pre.sql").AllTextContentsAsync()));
        await Assertions.Expect(page.Locator("tr[data-step-detail='fct_events'] .step-checks li.check").First).ToBeVisibleAsync();
        await app.ScreenshotAsync(page.Locator("section", new() { Has = page.Locator("table.steps") }), "run-step-statements");

        await page.GotoAsync(app.BaseUrl + "/assets/fct_events");
        await QueueByClickAsync(page, () => page.Locator("button[data-action='full-refresh']").ClickAsync());
        await Assertions.Expect(page.Locator("h1 .badge")).ToHaveTextAsync("succeeded", new() { Timeout = 90_000 });
        await Assertions.Expect(page.Locator(".run-head .meta")).ToContainTextAsync("full refresh");
        await page.Locator("tr[data-event-kind='incremental']").First.WaitForAsync();
        await Assertions.Expect(page.Locator("tr[data-event-kind='incremental']").First).ToContainTextAsync("full refresh requested");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task The_asset_page_marks_classified_columns_and_shows_their_values_masked_until_a_key_with_pii_reads_them()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/assets/dim_users");
        await Assertions.Expect(page.Locator(".preview[data-loaded='true']")).ToBeVisibleAsync(Soon);

        await Assertions.Expect(page.Locator("tr[data-column='user_id'] .classified")).ToHaveTextAsync("pii");
        Assert.Equal(0, await page.Locator("tr[data-column='first_platform'] .classified").CountAsync());
        var header = page.Locator(".preview th[data-masked='user_id']");
        await Assertions.Expect(header).ToContainTextAsync("masked");
        var column = await page.Locator(".preview thead th").AllTextContentsAsync();
        var index = column.ToList().FindIndex(c => c.StartsWith("user_id", StringComparison.Ordinal));
        var cells = await page.Locator($".preview tbody tr td:nth-child({index + 1})").AllTextContentsAsync();
        Assert.NotEmpty(cells);
        Assert.All(cells, c => Assert.Matches("^masked:[0-9a-f]{16}$", c));
        await app.ScreenshotAsync(page.Locator("section", new() { Has = page.Locator(".preview") }), "asset-masked-preview");

        // Signed in as the admin (the cookie the one-time sign-in link sets, which another test spends), the same page reads the values.
        await page.Context.AddCookiesAsync([new Cookie
        {
            Name = Analytics.Api.Extensions.ApiKeyFilter.SessionCookie, Value = Analytics.Api.Extensions.ApiKeyFilter.SessionValue(ApiHost.ApiKey),
            Url = app.BaseUrl, HttpOnly = true,
        }]);
        await page.GotoAsync(app.BaseUrl + "/assets/dim_users");
        await Assertions.Expect(page.Locator(".preview[data-loaded='true']")).ToBeVisibleAsync(Soon);
        Assert.Equal(0, await page.Locator(".preview th[data-masked]").CountAsync());
        var clear = await page.Locator($".preview tbody tr td:nth-child({index + 1})").AllTextContentsAsync();
        Assert.All(clear, c => Assert.DoesNotContain("masked:", c));
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task The_audit_page_shows_an_admin_the_log_and_tells_anyone_else_it_is_for_admins()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/audit");
        await Assertions.Expect(page.Locator(".message.error")).ToContainTextAsync("The audit log is for admins");
        problems.RemoveAll(p => p.Contains("status of 401", StringComparison.Ordinal));

        await page.Context.AddCookiesAsync([new Cookie
        {
            Name = Analytics.Api.Extensions.ApiKeyFilter.SessionCookie, Value = Analytics.Api.Extensions.ApiKeyFilter.SessionValue(ApiHost.ApiKey),
            Url = app.BaseUrl, HttpOnly = true,
        }]);
        await page.GotoAsync(app.BaseUrl + "/audit");
        // The fixture's own run was queued through the API: its write is in the log, as is the refused read just now.
        await Assertions.Expect(page.Locator("table.audit tbody tr[data-seq]").First).ToBeVisibleAsync(Soon);
        await Assertions.Expect(page.Locator("table.audit tbody")).ToContainTextAsync("QueueRun");
        await page.GetByLabel("refused only").CheckAsync();
        await Assertions.Expect(page.Locator("table.audit tbody tr.refused").First).ToBeVisibleAsync(Soon);
        Assert.All(await page.Locator("table.audit tbody tr[data-seq] td:nth-child(6)").AllTextContentsAsync(), o => Assert.Contains(o, new[] { "401", "403" }));
        await app.ScreenshotAsync(page, "audit");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task The_sources_page_shows_each_declared_source_its_rules_and_what_its_loads_and_extractions_did()
    {
        var (page, problems) = await app.OpenAsync();
        await page.GotoAsync(app.BaseUrl + "/sources");

        var events = page.Locator("section.source[data-source='raw_events']");
        await Assertions.Expect(events).ToContainTextAsync("files landing in the landing folder (csv)", new() { Timeout = 15_000 });
        await Assertions.Expect(events.Locator("table.loads tbody tr")).ToHaveCountAsync(1);
        await events.Locator("summary").ClickAsync();
        await Assertions.Expect(events.Locator("details table")).ToContainTextAsync("one of miles_earned, miles_redeemed, share, like, reward_search");
        // The fixture materialized '*' without appdb: the extraction says it was skipped, and why.
        var users = page.Locator("section.source[data-source='raw_users']");
        await Assertions.Expect(users).ToContainTextAsync("appdb:public.users by watermark on updated_at, 1d windows, 30s behind the source's clock");
        await Assertions.Expect(users.Locator("table.extractions")).ToContainTextAsync("ConnectionStrings__appdb is not set");
        Assert.Equal(6, await page.Locator("section.source").CountAsync());
        await app.ScreenshotAsync(page, "sources");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task A_typed_selection_shows_what_it_selects_before_it_is_materialized_from_the_catalog()
    {
        var (page, problems) = await app.OpenAsync();
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(ApiHost.ApiKey);
        await page.GotoAsync(app.BaseUrl + "/");
        var box = page.GetByLabel("Selection to materialize");
        var preview = page.Locator(".selection-preview");

        await box.FillAsync("+growth_metrics");
        await Assertions.Expect(preview.Locator("code[data-selected='growth_metrics']")).ToBeVisibleAsync(Soon);
        var selected = await preview.Locator("code").AllTextContentsAsync();
        Assert.Equal("raw_events", selected[0]);
        Assert.Equal("growth_metrics", selected[^1]);
        Assert.DoesNotContain("miles_analytics", selected);
        await Assertions.Expect(preview).ToContainTextAsync($"{selected.Count} asset(s), in the order they run");

        await box.FillAsync("tag:nosuchtag");
        await Assertions.Expect(preview).ToContainTextAsync("no asset has the tag 'nosuchtag'", new() { Timeout = 15_000 });
        Assert.True(await page.GetByRole(AriaRole.Button, new() { Name = "Materialize" }).IsDisabledAsync());
        problems.RemoveAll(p => p.Contains("status of 400", StringComparison.Ordinal));

        await box.FillAsync("growth_metrics");
        await Assertions.Expect(preview.Locator("code[data-selected='growth_metrics']")).ToBeVisibleAsync(Soon);
        await QueueByClickAsync(page, () => page.GetByRole(AriaRole.Button, new() { Name = "Materialize" }).ClickAsync());
        await Assertions.Expect(page.Locator("p.meta code")).ToHaveTextAsync("growth_metrics");
        await ExpectNoProblemsAsync(problems);
    }

    [Fact]
    public async Task The_sign_in_link_sets_an_http_only_cookie_once_and_leaves_no_token_in_the_url()
    {
        var (page, problems) = await app.OpenAsync();
        var wrong = await page.GotoAsync(app.BaseUrl + "/signin?token=wrong");
        Assert.Equal(401, wrong!.Status);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "analytics_session");

        await page.GotoAsync(app.BaseUrl + $"/signin?token={ApiHost.SignInToken}");
        Assert.Equal(app.BaseUrl + "/", page.Url);
        var cookie = Assert.Single(await page.Context.CookiesAsync(), c => c.Name == "analytics_session");
        Assert.True(cookie.HttpOnly);
        Assert.DoesNotContain(ApiHost.ApiKey, cookie.Value);
        await Assertions.Expect(page.Locator("#session")).ToContainTextAsync("signed in for writes");
        // The cookie authorizes a write from the page, sent as the pages send it; no key was typed.
        var status = await page.EvaluateAsync<int>("async () => (await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json', 'X-Analytics-Request': 'web' }, body: JSON.stringify({ selection: 'stg_events' }) })).status");
        Assert.Equal(202, status);
        // Without the pages' header, the same cookie proves nothing: a cross-site form could send that much.
        var bare = await page.EvaluateAsync<int>("async () => (await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ selection: 'stg_events' }) })).status");
        Assert.Equal(403, bare);
        problems.RemoveAll(p => p.Contains("403"));

        var again = await (await app.OpenAsync()).Page.GotoAsync(app.BaseUrl + $"/signin?token={ApiHost.SignInToken}");
        Assert.Equal(401, again!.Status);
        problems.RemoveAll(p => p.Contains("401")); // the refused link's own status, logged by the browser
        await ExpectNoProblemsAsync(problems);
    }
}
