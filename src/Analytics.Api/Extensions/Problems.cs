using Analytics.Core.Graph;
using Analytics.Core.Selection;

namespace Analytics.Api.Extensions;

/// <summary>RFC 7807 problem details with messages a person can act on.</summary>
public static class Problems
{
    public static IResult Unauthorized(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "API key required");

    public static IResult UnknownAsset(string key, IEnumerable<string> known)
    {
        var closest = NameSuggestions.Closest(key, known);
        return Results.Problem(
            $"No asset is called '{key}'.{NameSuggestions.DidYouMean(key, known)}",
            statusCode: StatusCodes.Status404NotFound,
            title: "Unknown asset",
            extensions: new Dictionary<string, object?> { ["closest"] = closest });
    }

    public static IResult UnknownRun(Guid runId) =>
        Results.Problem($"No run has id {runId}; GET /api/runs lists them.", statusCode: StatusCodes.Status404NotFound, title: "Unknown run");

    public static IResult BadSelection(SelectionException e) => Results.Problem(
        e.Message,
        statusCode: StatusCodes.Status400BadRequest,
        title: "Bad selection",
        extensions: new Dictionary<string, object?> { ["selection"] = e.Text, ["position"] = e.Position, ["problem"] = e.Problem });

    public static IResult Conflict(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult BadRequest(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
}
