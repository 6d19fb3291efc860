using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Orchestration;

namespace Analytics.Api.Apis;

/// <summary><c>/api/sources</c>: the declared sources, where their rows come from, their rules, and what their loads and extractions did.</summary>
public static class SourcesApi
{
    /// <summary>The loads and extractions the list shows per source; one source's detail shows up to <see cref="SourceCatalog.MaxHistory"/>.</summary>
    public const int ListHistory = 5;

    public static IEndpointRouteBuilder MapSourcesApi(this IEndpointRouteBuilder app)
    {
        var sources = app.MapGroup("/api/sources").WithTags("Sources");
        sources.MapGet("/", async (SourceCatalog catalog, CancellationToken token) =>
                TypedResults.Ok(await catalog.ListAsync(ListHistory, token)))
            .RequireRole(Role.Viewer).WithName("ListSources")
            .WithSummary("The declared sources: origin, columns and rules, key, watermark, and their latest loads and extractions")
            .Produces<List<SourceView>>();
        sources.MapGet("/{key}", GetSourceAsync)
            .RequireRole(Role.Viewer).WithName("GetSource")
            .WithSummary("One declared source with its last 100 loads and extractions")
            .Produces<SourceView>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> GetSourceAsync(string key, SourceCatalog catalog, CancellationToken cancellationToken)
    {
        var source = catalog.Sources.FirstOrDefault(s => s.Key.Name == key);
        return source is null
            ? Problems.UnknownSource(key, catalog.Sources.Select(s => s.Key.Name))
            : TypedResults.Ok(await catalog.ViewAsync(source, SourceCatalog.MaxHistory, cancellationToken));
    }
}
