using Microsoft.Playwright;

namespace Analytics.Testing;

/// <summary>Debian's Chromium under Playwright, as every browser test here uses it: headless, and quiet on this closed network.</summary>
public static class Chromium
{
    public static readonly string Path = Environment.GetEnvironmentVariable("ANALYTICS_CHROMIUM") ?? "/usr/bin/chromium";

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Path,
        Headless = true,
        Args = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-gpu", "--no-first-run"],
    });

    /// <summary>
    /// A page in a fresh context that records what a test must not see: console errors (unless <paramref name="expected"/>
    /// says one is expected), page errors, and any request that leaves <paramref name="origin"/>.
    /// </summary>
    public static async Task<(IPage Page, List<string> Problems)> OpenAsync(IBrowser browser, string origin, Func<string, bool>? expected = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && expected?.Invoke(message.Text) != true)
            {
                problems.Add($"console error: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Add($"page error: {error}");
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(origin.TrimEnd('/') + "/", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                problems.Add($"request left the origin: {request.Url}");
            }
        };
        return (page, problems);
    }
}
