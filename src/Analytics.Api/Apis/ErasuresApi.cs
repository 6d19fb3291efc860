using System.Text.Json;
using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Orchestration;
using Analytics.RunStore;

namespace Analytics.Api.Apis;

/// <summary><c>/api/erasures</c>: erase a subject, with the search that proves it gone; list the erasures. Admin only.</summary>
public static class ErasuresApi
{
    public const int MaxBodyBytes = 4 * 1024;

    private static readonly JsonSerializerOptions RequestJson = JsonBody.Strict(maxDepth: 4);

    public static IEndpointRouteBuilder MapErasuresApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/erasures").WithTags("Erasures");
        api.MapPost("/", EraseAsync).RequireRole(Role.Admin).WithName("EraseSubject")
            .WithSummary("Erase a subject (user_id, optionally in one tenant): its rows everywhere, a rebuild of what aggregated it for its days, "
                         + "then a search of every text column; 201 when the id is found nowhere, 409 (with where it was found) when it is not")
            .Accepts<ErasureRequest>("application/json").Produces<ErasureView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/", async (ErasureStore store, CancellationToken cancellationToken) => TypedResults.Ok(await store.ListAsync(null, cancellationToken)))
            .RequireRole(Role.Admin).WithName("ListErasures").WithSummary("Every erasure, newest first (never the id erased)")
            .Produces<IReadOnlyList<ErasureView>>();
        return app;
    }

    private static async Task<IResult> EraseAsync(HttpContext http, SubjectEraser eraser, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<ErasureRequest>(http.Request, MaxBodyBytes, RequestJson,
            "Send {\"user_id\": \"u_0001\"}, optionally \"tenant\": \"acme\".", cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (request?.UserId is not { } userId)
        {
            return Problems.BadRequest("The body names no user_id; send {\"user_id\": \"u_0001\"}, optionally with \"tenant\".");
        }

        try
        {
            var outcome = await eraser.EraseAsync(userId, request.Tenant, http.Principal().Name, null, cancellationToken);
            return outcome.Erasure.Status == "complete"
                ? TypedResults.Created($"/api/erasures/{outcome.Erasure.ErasureId}", outcome.Erasure)
                : Problems.Conflict($"Erasure {outcome.Erasure.ErasureId} is incomplete: the id is still found in {Problems.Clip(outcome.Erasure.Found?.ToString() ?? "")}.");
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message);
        }
    }
}

/// <summary>What <c>POST /api/erasures</c> takes.</summary>
public sealed record ErasureRequest(string? UserId, string? Tenant = null);
