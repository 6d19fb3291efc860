using System.Text.RegularExpressions;

namespace Analytics.Api.Extensions;

/// <summary>
/// Who asked for a run, as a person reads it in the run list: <c>web UI (Chrome 131)</c> for the pages, the browser
/// or the client's first product token (<c>api (curl/8.5.0)</c>) otherwise; never the whole User-Agent. Printable,
/// and at most 200 characters of the client's own text.
/// </summary>
public static partial class ClientName
{
    public static string Of(HttpContext http)
    {
        var fromPages = http.Request.Headers[ApiKeyFilter.PageHeader].ToString() == "web";
        var agent = http.Request.Headers.UserAgent.ToString();
        var client = Browser(agent) ?? ProductToken(agent);
        return (fromPages ? "web UI" : "api") + (client is null ? "" : $" ({client})");
    }

    /// <summary>The browser and its major version, when the User-Agent is a browser's.</summary>
    private static string? Browser(string agent)
    {
        foreach (var (pattern, name) in new[] { (EdgePattern(), "Edge"), (FirefoxPattern(), "Firefox"), (ChromePattern(), "Chrome"), (SafariPattern(), "Safari") })
        {
            if (pattern.Match(agent) is { Success: true } match)
            {
                return $"{name} {match.Groups[1].Value}";
            }
        }

        return null;
    }

    /// <summary>The first product token (<c>curl/8.5.0</c>), printable, cut at 200 characters.</summary>
    private static string? ProductToken(string agent)
    {
        var token = agent.Trim().Split(' ', 2)[0];
        if (token.Length == 0)
        {
            return null;
        }

        var printable = new string(token.Take(Problems.MaxEcho).Select(c => char.IsControl(c) ? ' ' : c).ToArray());
        return token.Length > Problems.MaxEcho ? printable + "..." : printable;
    }

    [GeneratedRegex(@"\bEdg(?:e|A|iOS)?/(\d{1,4})")]
    private static partial Regex EdgePattern();

    [GeneratedRegex(@"\bFirefox/(\d{1,4})")]
    private static partial Regex FirefoxPattern();

    [GeneratedRegex(@"\b(?:Headless)?Chrom(?:e|ium)/(\d{1,4})")]
    private static partial Regex ChromePattern();

    [GeneratedRegex(@"\bVersion/(\d{1,4})[.\d]* (?:Mobile/\S+ )?Safari/")]
    private static partial Regex SafariPattern();
}
