using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Extensions;

/// <summary>
/// Writes need the API key: the <c>X-Api-Key</c> header matching <c>Analytics__ApiKey</c>, or the HttpOnly session
/// cookie that the one-time sign-in link sets. Both are compared in constant time; neither is logged or echoed.
/// </summary>
public sealed class ApiKeyFilter(IOptions<ApiKeyOptions> options) : IEndpointFilter
{
    public const string Header = "X-Api-Key";
    public const string SessionCookie = "analytics_session";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
        {
            return Problems.Unauthorized("Writes are disabled: this server has no API key. Start it with Analytics__ApiKey set.");
        }

        var request = context.HttpContext.Request;
        var given = request.Headers[Header].ToString();
        var session = request.Cookies[SessionCookie];
        var allowed = given.Length > 0
            ? Matches(given, expected)
            : !string.IsNullOrEmpty(session) && Matches(session, SessionValue(expected));
        if (!allowed)
        {
            return Problems.Unauthorized($"Send the API key in the {Header} header, or open the sign-in link the AppHost prints.");
        }

        return await next(context);
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
    /// <summary>Writes: the endpoint needs the API key, and says so in the OpenAPI document.</summary>
    public static RouteHandlerBuilder RequireApiKey(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter<ApiKeyFilter>().WithMetadata(new ApiKeyFilter.Required());
}
