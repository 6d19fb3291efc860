using Analytics.Api.Extensions;
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
    public const int MaxColumns = 64;
    public const int MaxFilters = 16;
    public const int MaxValueLength = 200;

    private static readonly Dictionary<string, FilterOperator> Operators = Enum.GetValues<FilterOperator>()
        .ToDictionary(o => o.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapMartsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/marts").WithTags("Marts");
        api.MapGet("/{key}/rows", RowsAsync).WithName("GetMartRows")
            .WithSummary("A mart's rows: columns=a,b; filter=column:op:value (op: eq, ne, lt, lte, gt, gte; repeat for AND); "
                         + "group_by=a,b (one row per distinct value, with a count column); order=column or -column; "
                         + "limit (1 to 50,000, default 10,000). total counts every matching row.")
            .Produces<MartRows>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> RowsAsync(string key, string? columns, string[]? filter, string? order, string? limit,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "group_by")] string? groupBy, AnalyticsServices services, MartCache cache,
        CancellationToken cancellationToken)
    {
        var graph = services.Project.Graph;
        if (!graph.Contains(key) || graph[key].Layer != MartLayer)
        {
            var marts = graph.Keys.Where(k => graph[k].Layer == MartLayer);
            return Problems.UnknownMart(key, marts);
        }

        if (!RunsApi.TryParseRange(limit, "limit", DefaultLimit, 1, MaxLimit, out var cap, out var problem))
        {
            return problem!;
        }

        if (!TryParseQuery(columns, filter ?? [], order, cap, out var query, out problem)
            || !TryParseNames(groupBy, "group_by", out var groups, out problem))
        {
            return problem!;
        }

        query = query! with { GroupBy = groups };

        try
        {
            return await cache.RowsAsync(graph[key], query!, cancellationToken) is { } rows
                ? TypedResults.Ok(rows)
                : Problems.Conflict($"Mart '{key}' has not been materialized yet; POST /api/runs with {{\"selection\": \"+{key}\"}} first.");
        }
        catch (TableQueryException e)
        {
            return Problems.BadRequest(Problems.Clip(e.Message));
        }
    }

    private static bool TryParseQuery(string? columns, string[] filters, string? order, int limit, out TableQuery? query, out IResult? problem)
    {
        query = null;
        problem = null;
        if (!TryParseNames(columns, "columns", out var names, out problem))
        {
            return false;
        }

        if (filters.Length > MaxFilters)
        {
            problem = Problems.BadRequest($"At most {MaxFilters} filter parameters are read; {filters.Length} were sent.");
            return false;
        }

        var parsed = new List<TableFilter>();
        foreach (var text in filters)
        {
            var parts = (text ?? "").Split(':', 3);
            if (parts.Length != 3 || parts[0].Length == 0 || !Operators.TryGetValue(parts[1], out var op) || parts[2].Length > MaxValueLength)
            {
                problem = Problems.BadRequest($"filter={Problems.Clip(text ?? "")} is not column:op:value with op one of "
                                              + $"{string.Join(", ", Operators.Keys)} and a value of at most {MaxValueLength} characters, "
                                              + "e.g. filter=grain:eq:week or filter=date:gte:2025-01-01.");
                return false;
            }

            parsed.Add(new TableFilter(parts[0], op, parts[2]));
        }

        var descending = order?.StartsWith('-') == true;
        var orderBy = descending ? order![1..] : order;
        if (orderBy is { Length: 0 or > MaxValueLength })
        {
            problem = Problems.BadRequest("order names one column, with a leading '-' for descending, e.g. order=-date.");
            return false;
        }

        query = new TableQuery(names, parsed, orderBy, descending, limit);
        return true;
    }

    private static bool TryParseNames(string? text, string parameter, out IReadOnlyList<string> names, out IResult? problem)
    {
        problem = null;
        var parts = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        names = parts.Distinct(StringComparer.Ordinal).ToList();
        if (parts.Length > MaxColumns || parts.Any(n => n.Length > MaxValueLength))
        {
            problem = Problems.BadRequest($"{parameter} names at most {MaxColumns} columns of at most {MaxValueLength} characters each.");
            return false;
        }

        return true;
    }
}

public sealed record MartRows(string Key, IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<object?[]> Rows, long Total, bool Truncated);
