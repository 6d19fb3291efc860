namespace Analytics.Gateway.Extensions;

/// <summary>
/// <c>/superset</c> when Superset is not running: a browser gets a page that says how to get it (and what to use
/// meanwhile), any other client the same as a problem; both 404.
/// </summary>
public static class SupersetNotRunning
{
    public const string Detail = "Superset is not running: the AppHost starts it only where a container engine (docker) answers.";

    public static IResult Answer(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase)
            ? Results.Content(Page, "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound)
            : Results.Problem(Detail, statusCode: StatusCodes.Status404NotFound, title: "Superset not running");

    private const string Page = """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <title>Superset is not running · Analytics</title>
          <style>
            body { font: 15px/1.5 system-ui, sans-serif; color: #1d2330; background: #f6f7f9; margin: 0; }
            main { max-width: 720px; margin: 48px auto; background: #fff; border: 1px solid #e3e6ec; border-radius: 8px; padding: 24px 32px; }
            code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
            pre { background: #1d2330; color: #e6e9ef; padding: 10px 14px; border-radius: 6px; overflow-x: auto; }
          </style>
        </head>
        <body>
        <main>
          <h1>Superset is not running</h1>
          <p>The AppHost starts Superset only where a container engine answers (<code>docker info</code>); on this machine none does,
             so <code>/superset</code> has nothing to open.</p>
          <h2>To get Superset</h2>
          <ol>
            <li>Install and start Docker (or another engine the <code>docker</code> command reaches).</li>
            <li>Start the app again with <code>scripts/run</code>: Superset then runs beside it, and the growth dashboard is published to it.</li>
          </ol>
          <p>Or import the dashboard into a Superset of your own:</p>
          <pre>dotnet analytics superset bundle --out growth.zip
        dotnet analytics superset publish --url https://superset.example.com --bundle growth.zip</pre>
          <p>Meanwhile, the same charts are on the web UI's <a href="/dashboards">dashboards</a> page.</p>
        </main>
        </body>
        </html>
        """;
}
