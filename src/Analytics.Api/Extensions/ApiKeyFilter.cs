using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Extensions;

/// <summary>
/// Writes need the <c>X-Api-Key</c> header to match <c>Analytics__ApiKey</c>, compared in constant time. The key
/// is never logged or echoed.
/// </summary>
public sealed class ApiKeyFilter(IOptions<ApiKeyOptions> options) : IEndpointFilter
{
    public const string Header = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected))
        {
            return Problems.Unauthorized("Writes are disabled: this server has no API key. Start it with Analytics__ApiKey set.");
        }

        var given = context.HttpContext.Request.Headers[Header].ToString();
        if (given.Length == 0 || !Matches(given, expected))
        {
            return Problems.Unauthorized($"Send the API key in the {Header} header; the AppHost prints it at start-up.");
        }

        return await next(context);
    }

    /// <summary>The endpoint's marker: the OpenAPI document lists the key as this endpoint's security.</summary>
    public sealed class Required;

    private static bool Matches(string given, string expected) =>
        // Hashing first makes the comparison's time independent of both lengths.
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}

public static class ApiKeyEndpointExtensions
{
    /// <summary>Writes: the endpoint needs the API key, and says so in the OpenAPI document.</summary>
    public static RouteHandlerBuilder RequireApiKey(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter<ApiKeyFilter>().WithMetadata(new ApiKeyFilter.Required());
}
