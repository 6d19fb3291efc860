using System.Text.Json;
using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Execution;
using Analytics.RunStore;

namespace Analytics.Api.Apis;

/// <summary><c>/api/keys</c>: principals' API keys, for admins. A key is shown once, when it is created.</summary>
public static class KeysApi
{
    /// <summary>The largest body <c>POST /api/keys</c> reads.</summary>
    public const int MaxBodyBytes = 4 * 1024;

    private static readonly JsonSerializerOptions RequestJson = JsonBody.Strict(maxDepth: 4);

    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/keys").WithTags("Keys");
        api.MapGet("/", async (ApiKeyStore keys, CancellationToken cancellationToken) => TypedResults.Ok(await keys.ListAsync(cancellationToken)))
            .RequireRole(Role.Admin).WithName("ListKeys").WithSummary("Every API key (never the key itself), live ones first")
            .Produces<IReadOnlyList<ApiKeyView>>();
        api.MapPost("/", CreateAsync).RequireRole(Role.Admin).WithName("CreateKey")
            .WithSummary("Create a principal's key: name, role (viewer, operator, admin), optional tenant, expiry and pii permission; the key is in this answer only")
            .Accepts<KeyRequest>("application/json").Produces<CreatedKey>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapPost("/{id}/revoke", RevokeAsync).RequireRole(Role.Admin).WithName("RevokeKey")
            .WithSummary("Revoke a key: refused from its next request on")
            .Produces<ApiKeyView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<KeyRequest>(http.Request, MaxBodyBytes, RequestJson,
            "Send {\"name\": \"ci-bot\", \"role\": \"operator\"}, optionally \"tenant\", \"expires_at\" (ISO 8601) and \"pii\": true.", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (request?.Name is not { } name || request.Role is not { } roleText)
        {
            return Problems.BadRequest("A key needs a name and a role, e.g. {\"name\": \"ci-bot\", \"role\": \"operator\"}.");
        }

        if (!Enum.GetValues<Role>().Any(r => WireName.Of(r) == roleText))
        {
            return Problems.BadRequest($"role={Problems.Clip(roleText)} is no role; use one of {string.Join(", ", Enum.GetValues<Role>().Select(WireName.Of))}.");
        }

        DateTimeOffset? expires = null;
        if (request.ExpiresAt is { } expiresText)
        {
            if (!DateTimeOffset.TryParse(expiresText, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return Problems.BadRequest($"expires_at={Problems.Clip(expiresText)} is not a time; write it as ISO 8601, e.g. 2027-01-31T00:00:00Z.");
            }

            expires = parsed;
        }

        try
        {
            var principal = http.Items[typeof(Principal)] as Principal;
            var created = await keys.CreateAsync(name, WireName.Parse<Role>(roleText), request.Tenant, expires, principal?.Name ?? "api", cancellationToken,
                request.Pii is true);
            return TypedResults.Created($"/api/keys/{created.View.KeyId}", created);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message);
        }
    }

    private static async Task<IResult> RevokeAsync(string id, ApiKeyStore keys, CancellationToken cancellationToken)
    {
        var (key, already) = await keys.RevokeAsync(id, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound($"No key has the id '{Problems.Clip(id)}'; GET /api/keys lists them.");
        }

        return already
            ? Problems.Conflict($"The key '{key.Name}' was revoked already, at {key.RevokedAt:yyyy-MM-dd HH:mm} UTC.")
            : TypedResults.Ok(key);
    }
}

/// <summary>What <c>POST /api/keys</c> takes. <c>Pii</c>: the key reads classified columns in the clear (an admin's always does).</summary>
public sealed record KeyRequest(string? Name, string? Role, string? Tenant = null, string? ExpiresAt = null, bool? Pii = null);
