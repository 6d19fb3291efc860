using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.RunStore;

namespace Analytics.Api.Apis;

/// <summary><c>/api/assets</c>: what is declared, and what the run store knows of it. Only preview reads the warehouse.</summary>
public static class AssetsApi
{
    public const int MaxPreviewRows = 1000;

    public static IEndpointRouteBuilder MapAssetsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/assets").WithTags("Assets");
        api.MapGet("/", ListAsync).RequireRole(Role.Viewer).WithName("ListAssets").WithSummary("Every asset with its status, last run and checks")
            .Produces<List<AssetSummary>>();
        api.MapGet("/{key}", DetailAsync).RequireRole(Role.Viewer).WithName("GetAsset")
            .WithSummary("An asset's description, SQL, lineage, columns, latest materialization and checks")
            .Produces<AssetDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{key}/materializations", HistoryAsync).RequireRole(Role.Viewer).WithName("GetAssetHistory")
            .WithSummary("The asset's latest materializations, oldest first: when, rows and duration (limit 1 to 500, default 50)")
            .Produces<List<MaterializationPoint>>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{key}/preview", PreviewAsync).RequireRole(Role.Viewer).WithName("PreviewAsset").WithSummary("The first rows of the asset's table (at most 1000)")
            .Produces<Preview>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> ListAsync(AssetProject project, CatalogCache cache, CancellationToken cancellationToken)
    {
        var graph = project.Graph;
        var statuses = await cache.AssetStatusesAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        return TypedResults.Ok(graph.TopologicalOrder.Select(key =>
        {
            var asset = graph[key];
            var status = statuses.GetValueOrDefault(key);
            return new AssetSummary(key, asset.Layer, asset.Materialization.ToString().ToLowerInvariant(), asset.Description, asset.Tags, asset.Owner,
                graph.UpstreamOf(key), graph.DownstreamOf(key), status?.LastStepStatus, status?.MaterializedAt, status?.Rows,
                asset.Checks.Count, status?.ChecksPassed ?? 0, status?.ChecksRun ?? 0, AssetFreshness.Evaluate(graph, key, statuses, now), status?.RowsWritten);
        }).ToList());
    }

    private static async Task<IResult> DetailAsync(string key, AssetProject project, IWarehouseReader warehouse, CatalogCache cache, HttpContext http, RunStoreQueries queries, CancellationToken cancellationToken)
    {
        if (!project.Graph.Contains(key))
        {
            return Problems.UnknownAsset(key, project.Graph.Keys);
        }

        var asset = project.Graph[key];
        var materialization = await queries.LatestMaterializationAsync(key, cancellationToken);
        return TypedResults.Ok(new AssetDetail(
            key, asset.Layer, asset.Materialization.ToString().ToLowerInvariant(), asset.Description, asset.Tags, asset.Owner, asset.SourcePath,
            asset.Sql.Trim(), asset.IsSource ? null : project.Compile(key, warehouse.Dialect).Trim(),
            project.Graph.UpstreamOf(key), project.Graph.DownstreamOf(key),
            asset.Checks.Select(c => new DeclaredCheck(c.Name, c.Kind.ToString(), c.Severity.ToString().ToLowerInvariant())).ToList(),
            materialization, (await queries.LatestChecksAsync(key, cancellationToken))
                .Select(c => ReadScopes.SeesSamples(http, asset) || c.Passed ? c : c with { Sample = ReadScopes.WithheldSample }).ToList(),
            AssetFreshness.Evaluate(project.Graph, key, await cache.AssetStatusesAsync(cancellationToken), DateTimeOffset.UtcNow),
            asset.Incremental is { ByDate: true } spec ? WireName.Of(spec.Grain) : null)
        {
            Classification = asset.Classification,
        });
    }

    public const int MaxHistory = 500;

    private static async Task<IResult> HistoryAsync(string key, string? limit, AssetProject project, RunStoreQueries queries, CancellationToken cancellationToken)
    {
        if (!project.Graph.Contains(key))
        {
            return Problems.UnknownAsset(key, project.Graph.Keys);
        }

        if (!RunsApi.TryParseRange(limit, "limit", 50, 1, MaxHistory, out var count, out var problem))
        {
            return problem!;
        }

        return TypedResults.Ok(await queries.MaterializationHistoryAsync(key, count, cancellationToken));
    }

    private static async Task<IResult> PreviewAsync(string key, int? limit, AssetProject project, IWarehouseReader warehouse, ReadScopes scopes,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (!project.Graph.Contains(key))
        {
            return Problems.UnknownAsset(key, project.Graph.Keys);
        }

        var rows = Math.Clamp(limit ?? 100, 1, MaxPreviewRows);
        var asset = project.Graph[key];
        var scope = await scopes.ForAsync(http, asset);
        TablePreview? preview;
        try
        {
            preview = await warehouse.PreviewAsync(asset, rows, scope, cancellationToken);
        }
        catch (TableQueryException e)
        {
            return Problems.Conflict(Problems.Clip(e.Message));
        }

        if (preview is null)
        {
            return Problems.Conflict($"Asset '{key}' has not been materialized yet; POST /api/runs with {{\"selection\": \"+{key}\"}} first.");
        }

        return TypedResults.Ok(new Preview(key, preview.Columns, preview.Rows) { Masked = scope.Masked.Order(StringComparer.Ordinal).ToList() });
    }
}

/// <summary>An asset in the catalog: <c>Rows</c> its table holds, <c>RowsWritten</c> what its latest materialization wrote.</summary>
public sealed record AssetSummary(
    string Key, string Layer, string Materialization, string Description, IReadOnlyList<string> Tags, string? Owner,
    IReadOnlyList<string> Upstream, IReadOnlyList<string> Downstream, string? LastStatus, DateTimeOffset? LastMaterializedAt, long? Rows,
    int ChecksDeclared, int ChecksPassed, int ChecksRun, FreshnessView Freshness, long? RowsWritten);

public sealed record DeclaredCheck(string Name, string Kind, string Severity);

public sealed record AssetDetail(
    string Key, string Layer, string Materialization, string Description, IReadOnlyList<string> Tags, string? Owner, string SourcePath,
    string Sql, string? CompiledSql, IReadOnlyList<string> Upstream, IReadOnlyList<string> Downstream, IReadOnlyList<DeclaredCheck> Checks,
    MaterializationView? LatestMaterialization, IReadOnlyList<CheckView> CheckResults, FreshnessView Freshness, string? PartitionGrain)
{
    /// <summary>The header's classified columns and their class (pii): masked to a principal without the class's permission.</summary>
    public IReadOnlyDictionary<string, string> Classification { get; init; } = new Dictionary<string, string>();
}

/// <summary>An asset's first rows; <c>Masked</c>: the classified columns that came back masked to this principal.</summary>
public sealed record Preview(string Key, IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<object?[]> Rows)
{
    public IReadOnlyList<string> Masked { get; init; } = [];
}
