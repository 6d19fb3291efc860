using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Access;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Extensions;

/// <summary>
/// Each endpoint's role (<see cref="RequiredRole"/>), enforced. A request acts as a principal: the key in the
/// <c>X-Api-Key</c> header (the server's own <c>Analytics__ApiKey</c>, an admin, or a principal's key from the run
/// store), or the HttpOnly session cookie of the one-time sign-in link (that admin). Keys are compared in constant time
/// and never logged or echoed. Reads (viewer) are public unless <c>Analytics__ReadsNeedKey</c> is true. Without a
/// principal a request is a 401; with a role too low, a 403 naming both roles. A browser sends the cookie with any
/// request to this origin, a cross-site form post included, so a write that the cookie authenticates must also prove
/// it comes from the web UI's own pages: the <c>X-Analytics-Request</c> header (which no form can send, and no other
/// origin can without a CORS preflight this API never grants) and, where the browser says, <c>Sec-Fetch-Site:
/// same-origin</c> or an <c>Origin</c> of this host. Form bodies are refused (415).
/// </summary>
public sealed class ApiKeyFilter(IOptions<ApiKeyOptions> options, ApiKeyStore keys) : IEndpointFilter
{
    public const string Header = "X-Api-Key";
    public const string SessionCookie = "analytics_session";
    public const string PageHeader = "X-Analytics-Request";

    /// <summary>The principal of the server's own key and of the sign-in link's cookie.</summary>
    public static readonly Principal ServerKey = new("api-key (Analytics__ApiKey)", Role.Admin);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var required = http.GetEndpoint()?.Metadata.GetMetadata<RequiredRole>()?.Role ?? Role.Admin;
        var request = http.Request;
        if (required == Role.Viewer && !options.Value.ReadsNeedKey)
        {
            // A public read still acts as whoever sent a key or the cookie (what they may see in the clear, and which
            // tenant's rows); one that sent neither is anonymous. A key sent and refused is a 401, not a silent downgrade.
            var (reader, readRefusal, _) = await AuthenticateAsync(request, http.RequestAborted);
            if (readRefusal is not null)
            {
                return Problems.Unauthorized(readRefusal);
            }

            http.Items[typeof(Principal)] = reader ?? Principal.Anonymous;
            return await next(context);
        }

        if (required > Role.Viewer && (request.HasFormContentType || request.ContentType?.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) == true))
        {
            return Problems.UnsupportedMediaType("Writes take JSON (content-type: application/json) or no body; form posts are refused.");
        }

        var (principal, refusal, byCookie) = await AuthenticateAsync(request, http.RequestAborted);
        if (principal is null)
        {
            return Problems.Unauthorized(refusal ?? (required == Role.Viewer
                ? $"This server requires a key for reads (Analytics__ReadsNeedKey): send one in the {Header} header."
                : $"Send an API key with the {WireName.Of(required)} role in the {Header} header, or open the sign-in link the AppHost prints."));
        }

        // Known from here on, refused or not: the audit log records who was refused.
        http.Items[typeof(Principal)] = principal;
        if (!principal.Has(required))
        {
            return Problems.Forbidden($"This needs the {WireName.Of(required)} role; the key '{principal.Name}' is a {WireName.Of(principal.Role)}. "
                                      + "An admin can create a key with the role ('analytics keys create').");
        }

        if (byCookie && required > Role.Viewer && CrossSite(request) is { } why)
        {
            return Problems.Forbidden($"A write signed in by the session cookie must come from the web UI's pages: {why}. "
                                      + $"Other clients send the API key in the {Header} header.");
        }

        return await next(context);
    }

    /// <summary>The request's principal, or why its key is refused; whether it came by the session cookie.</summary>
    private async Task<(Principal? Principal, string? Refusal, bool ByCookie)> AuthenticateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var serverKey = options.Value.ApiKey;
        var given = request.Headers[Header].ToString();
        if (given.Length > 0)
        {
            if (!string.IsNullOrEmpty(serverKey) && Matches(given, serverKey))
            {
                return (ServerKey, null, false);
            }

            if (ApiKeyStore.TryParseId(given, out _))
            {
                var check = await keys.AuthenticateAsync(given, cancellationToken);
                return (check.Principal, check.Refusal is null ? null : $"The key in {Header} is refused: {check.Refusal}.", false);
            }

            return (null, $"The key in {Header} is not valid: send the server's key or one from 'analytics keys create'.", false);
        }

        var session = request.Cookies[SessionCookie];
        return !string.IsNullOrEmpty(serverKey) && !string.IsNullOrEmpty(session) && Matches(session, SessionValue(serverKey))
            ? (ServerKey, null, true)
            : (null, null, false);
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

}

/// <summary>The principal a request acts as, which <see cref="ApiKeyFilter"/> set; anonymous when none did.</summary>
public static class PrincipalExtensions
{
    public static Principal Principal(this HttpContext http) => http.Items[typeof(Principal)] as Principal ?? Core.Access.Principal.Anonymous;
}

/// <summary>The role an endpoint needs: declared once, at the endpoint's mapping, and shown in the OpenAPI document.</summary>
public sealed record RequiredRole(Role Role);

public static class ApiKeyEndpointExtensions
{
    /// <summary>
    /// The endpoint needs <paramref name="role"/>: reads (viewer) are public unless the server requires keys for them;
    /// above that a key with the role (401 without one, 403 with a lower role), from the web UI's pages when it comes by
    /// cookie (403), with no form body (415). The OpenAPI document says which.
    /// </summary>
    public static RouteHandlerBuilder RequireRole(this RouteHandlerBuilder endpoint, Role role)
    {
        endpoint.AddEndpointFilter<ApiKeyFilter>().WithMetadata(new RequiredRole(role)).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return role == Role.Viewer ? endpoint : endpoint.ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
    }
}
