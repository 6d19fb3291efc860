using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.RunStore;

namespace Analytics.Api.Apis;

/// <summary><c>/api/audit</c>: the audit log, for admins, newest first, paged and filtered.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ListAsync).RequireRole(Role.Admin).WithTags("Audit").WithName("ListAudit")
            .WithSummary("The audit log, newest first: every write, every read of warehouse rows, every refused request and key change; "
                         + "page, page_size (1 to 500, default 100), principal, action (an endpoint's name), refused=true (401 and 403 only)")
            .Produces<AuditPage>().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<IResult> ListAsync(string? page, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "page_size")] string? pageSize, string? principal,
        string? action, string? refused, AuditStore store, AuditWriter writer, CancellationToken cancellationToken)
    {
        if (!RunsApi.TryParseRange(page, "page", 1, 1, AuditStore.MaxPage, out var p, out var problem)
            || !RunsApi.TryParseRange(pageSize, "page_size", 100, 1, AuditStore.MaxPageSize, out var size, out problem))
        {
            return problem!;
        }

        if (refused is not (null or "true" or "false"))
        {
            return Problems.BadRequest($"refused={Problems.Clip(refused)} is not true or false.");
        }

        if (principal?.Length > 200 || action?.Length > 200)
        {
            return Problems.BadRequest("principal and action are at most 200 characters; they name a principal and an endpoint, e.g. action=QueueRun.");
        }

        // What this server recorded up to now is in the answer, this request's own record aside.
        await writer.FlushAsync(cancellationToken);
        return TypedResults.Ok(await store.ListAsync(p, size, principal, action, refused == "true", cancellationToken));
    }
}
