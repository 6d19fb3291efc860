using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Extensions;

/// <summary>
/// Writes need the API key: the <c>X-Api-Key</c> header matching <c>Analytics__ApiKey</c>, or the HttpOnly session
/// cookie that the one-time sign-in link sets. Both are compared in constant time; neither is logged or echoed. A
/// browser sends the cookie with any request to this origin, a cross-site form post included, so a write that the
/// cookie authenticates must also prove it comes from the web UI's own pages: the <c>X-Analytics-Request</c> header
/// (which no form can send, and no other origin can without a CORS preflight this API never grants) and, where the
/// browser says, <c>Sec-Fetch-Site: same-origin</c> or an <c>Origin</c> of this host. Form bodies are refused (415).
/// </summary>
public sealed class ApiKeyFilter(IOptions<ApiKeyOptions> options) : IEndpointFilter
{
    public const string Header = "X-Api-Key";
    public const string SessionCookie = "analytics_session";
    public const string PageHeader = "X-Analytics-Request";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
        {
            return Problems.Unauthorized("Writes are disabled: this server has no API key. Start it with Analytics__ApiKey set.");
        }

        var request = context.HttpContext.Request;
        if (request.HasFormContentType || request.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) == true)
        {
            return Problems.UnsupportedMediaType("Writes take JSON (content-type: application/json) or no body; form posts are refused.");
        }

        var given = request.Headers[Header].ToString();
        var session = request.Cookies[SessionCookie];
        var allowed = given.Length > 0
            ? Matches(given, expected)
            : !string.IsNullOrEmpty(session) && Matches(session, SessionValue(expected));
        if (!allowed)
        {
            return Problems.Unauthorized($"Send the API key in the {Header} header, or open the sign-in link the AppHost prints.");
        }

        if (given.Length == 0 && CrossSite(request) is { } why)
        {
            return Problems.Forbidden($"A write signed in by the session cookie must come from the web UI's pages: {why}. "
                                      + $"Other clients send the API key in the {Header} header.");
        }

        return await next(context);
    }

    /// <summary>Why a cookie-authenticated write does not look like one of our pages' own requests; null when it does.</summary>
    private static string? CrossSite(HttpRequest request)
    {
        if (request.Headers[PageHeader].ToString() != "web")
        {
            return $"it lacks the {PageHeader}: web header the pages send";
        }

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site != "same-origin")
        {
            return $"the browser says it is {Problems.Clip(site)} (Sec-Fetch-Site), not same-origin";
        }

        var origin = request.Headers.Origin.ToString();
        // Behind the gateway the Host is the API's own; the gateway passes the address the browser used as X-Forwarded-Host.
        var host = request.Headers["X-Forwarded-Host"].ToString() is { Length: > 0 } forwarded ? forwarded.Split(',')[0].Trim() : request.Host.Value;
        if (origin.Length > 0 && !(Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, host, StringComparison.OrdinalIgnoreCase)))
        {
            return $"it comes from {Problems.Clip(origin)}, not this origin";
        }

        return null;
    }

    /// <summary>
    /// What the session cookie holds: derived from the key, so it is valid on every API replica and across restarts,
    /// stops working when the key changes, and does not reveal the key.
    /// </summary>
    public static string SessionValue(string apiKey) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(apiKey), "analytics web session"u8));

    internal static bool Matches(string given, string expected) =>
        // Hashing first makes the comparison's time independent of both lengths.
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>The endpoint's marker: the OpenAPI document lists the key as this endpoint's security.</summary>
    public sealed class Required;
}

public static class ApiKeyEndpointExtensions
{
    /// <summary>
    /// Writes: the endpoint needs the API key (401), from the web UI's pages when it comes by cookie (403), with no
    /// form body (415); the OpenAPI document says so.
    /// </summary>
    public static RouteHandlerBuilder RequireApiKey(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter<ApiKeyFilter>().WithMetadata(new ApiKeyFilter.Required())
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
