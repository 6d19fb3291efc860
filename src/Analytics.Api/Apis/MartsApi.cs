using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Orchestration;

namespace Analytics.Api.Apis;

/// <summary>
/// <c>/api/marts/{key}/rows</c>: a mart's rows for charts, with chosen columns, filters and a cap. Only marts are
/// read, so no chart can scan the event tables; answers are cached until the mart is materialized again.
/// </summary>
public static class MartsApi
{
    public const string MartLayer = "marts";
    public const int DefaultLimit = 10_000;
    public const int MaxLimit = 50_000;

    public static IEndpointRouteBuilder MapMartsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/marts").WithTags("Marts");
        api.MapGet("/{key}/rows", RowsAsync).RequireRole(Role.Viewer).WithName("GetMartRows")
            .WithSummary("A mart's rows: columns=a,b; filter=column:op:value (op: eq, ne, lt, lte, gt, gte; repeat for AND); "
                         + "group_by=a,b (one row per distinct value, with a count column); order=column or -column; "
                         + "limit (1 to 50,000, default 10,000). total counts every matching row.")
            .Produces<MartRows>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> RowsAsync(string key, string? columns, string[]? filter, string? order, string? limit,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "group_by")] string? groupBy, AssetProject project, MartCache cache,
        ReadScopes scopes, HttpContext http, CancellationToken cancellationToken)
    {
        var graph = project.Graph;
        if (!graph.Contains(key) || graph[key].Layer != MartLayer)
        {
            var marts = graph.Keys.Where(k => graph[k].Layer == MartLayer);
            return Problems.UnknownMart(key, marts);
        }

        if (!RunsApi.TryParseRange(limit, "limit", DefaultLimit, 1, MaxLimit, out var cap, out var problem))
        {
            return problem!;
        }

        TableQuery query;
        try
        {
            // Its messages repeat at most 200 characters of the input, and say the rule whole.
            query = TableQueryParser.Parse(columns, filter ?? [], order, groupBy, cap);
        }
        catch (TableQueryException e)
        {
            return Problems.BadRequest(e.Message);
        }

        try
        {
            return await cache.RowsAsync(graph[key], query, await scopes.ForAsync(http, graph[key]), cancellationToken) is { } rows
                ? TypedResults.Ok(rows)
                : Problems.Conflict($"Mart '{key}' has not been materialized yet; POST /api/runs with {{\"selection\": \"+{key}\"}} first.");
        }
        catch (TableQueryException e)
        {
            return Problems.BadRequest(Problems.Clip(e.Message));
        }
    }
}

/// <summary>A mart's rows; <c>Masked</c>: the classified columns among them that came back masked to this principal.</summary>
public sealed record MartRows(string Key, IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<object?[]> Rows, long Total, bool Truncated)
{
    public IReadOnlyList<string> Masked { get; init; } = [];
}
