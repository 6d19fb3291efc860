using System.Text.RegularExpressions;
using Analytics.Testing;
using Microsoft.Playwright;

namespace Analytics.AppHost.Tests;

/// <summary>The Aspire dashboard in headless Chromium, as a person opens it from the link the AppHost prints.</summary>
internal static partial class AspireDashboardPages
{
    private static string Screenshots => Path.Combine(TestFiles.RepositoryRoot, "TestResults", "screenshots");

    /// <summary>The resources page's text, then the text of the trace whose root is <paramref name="rootSpan"/>, scrolled through.</summary>
    public static async Task<(string Resources, string Trace)> ReadAsync(string loginLink, string rootSpan)
    {
        var origin = new Uri(loginLink).GetLeftPart(UriPartial.Authority);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1600, Height = 1000 } });
        Directory.CreateDirectory(Screenshots);

        await page.GotoAsync(loginLink);
        // The dashboard is a Blazor app on a busy 2-core machine: give its first render time, and one reload.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await page.GetByText("sample-data").First.WaitForAsync(new() { Timeout = 60_000 });
                await page.GetByText("Finished").First.WaitForAsync(new() { Timeout = 60_000 });
                break;
            }
            catch (TimeoutException) when (attempt < 3)
            {
                await page.GotoAsync(origin + "/");
            }
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "aspire-resources.png") });
        var resources = await page.InnerTextAsync("body");

        await page.GotoAsync(origin + "/traces");
        await page.GetByText(rootSpan).First.ClickAsync(new() { Timeout = 30_000 });
        await page.GetByText("Total spans").First.WaitForAsync(new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, "aspire-trace.png") });
        // The span list is virtualized: only the rows in view are in the page, so read it as it scrolls.
        var trace = await page.InnerTextAsync("body");
        // Steps shorter than the view, so no row scrolls past between two reads.
        for (var i = 0; i < 100; i++)
        {
            await page.Mouse.MoveAsync(600, 600);
            await page.Mouse.WheelAsync(0, 400);
            await page.WaitForTimeoutAsync(150);
            trace += "\n" + await page.InnerTextAsync("body");
        }

        return (resources, trace);
    }

    /// <summary>Rows of the resources page: each resource's name is followed by its state.</summary>
    public static IReadOnlyList<(string Name, string State)> Rows(string resources) =>
        Row().Matches(resources).Select(m => (m.Groups[1].Value, m.Groups[2].Value)).ToList();

    public static IReadOnlySet<string> AssetSpans(string trace) => AssetSpan().Matches(trace).Select(m => m.Groups[1].Value).ToHashSet();

    [GeneratedRegex(@"^([a-z][a-z0-9-]*)\n(Running|Finished|Not started|Runtime unhealthy|Exited|Failed to start|Waiting|Starting)$", RegexOptions.Multiline)]
    private static partial Regex Row();

    [GeneratedRegex(@"\basset ([a-z_]+)\b")]
    private static partial Regex AssetSpan();
}
