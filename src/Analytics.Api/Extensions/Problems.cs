using Analytics.Core.Graph;
using Analytics.Core.Selection;

namespace Analytics.Api.Extensions;

/// <summary>RFC 7807 problem details with messages a person can act on.</summary>
public static class Problems
{
    public static IResult Unauthorized(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "API key required");

    public static IResult Forbidden(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Not from the web UI");

    public static IResult UnknownAsset(string key, IEnumerable<string> known)
    {
        var closest = NameSuggestions.Closest(key, known);
        return Results.Problem(
            $"No asset is called '{Clip(key)}'.{NameSuggestions.DidYouMean(key, known)}",
            statusCode: StatusCodes.Status404NotFound,
            title: "Unknown asset",
            extensions: new Dictionary<string, object?> { ["closest"] = closest });
    }

    public static IResult UnknownMart(string key, IEnumerable<string> marts) => Results.Problem(
        $"No mart is called '{Clip(key)}'; charts read only the marts: {string.Join(", ", marts)}.",
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown mart");

    public static IResult UnknownSource(string key, IEnumerable<string> sources) => Results.Problem(
        $"No declared source is called '{Clip(key)}'; the sources are {string.Join(", ", sources)}.",
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown source");

    public static IResult UnknownRun(Guid runId) =>
        Results.Problem($"No run has id {runId}; GET /api/runs lists them.", statusCode: StatusCodes.Status404NotFound, title: "Unknown run");

    /// <summary>The most characters of a client's own input a problem repeats back.</summary>
    public const int MaxEcho = 200;

    public static IResult BadSelection(SelectionException e) => Results.Problem(
        e.Message,
        statusCode: StatusCodes.Status400BadRequest,
        title: "Bad selection",
        extensions: new Dictionary<string, object?> { ["selection"] = Clip(e.Text), ["position"] = e.Position, ["problem"] = e.Problem });

    public static IResult TooLarge(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");

    public static IResult UnsupportedMediaType(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>A client's input cut to <see cref="MaxEcho"/> characters, so an answer never amplifies a request.</summary>
    public static string Clip(string text) => text.Length <= MaxEcho ? text : $"{text[..MaxEcho]}... ({text.Length:N0} characters)";

    public static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);

    public static IResult Conflict(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static IResult BadRequest(string detail) =>
        Results.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
}
