using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Dashboards;
using Analytics.Orchestration;
using Analytics.RunStore;

namespace Analytics.Api.Apis;

/// <summary>
/// <c>/api/dashboards</c>: the dashboards of <c>assets-sql/dashboards.yml</c>, which the web UI draws, with the
/// problems found checking their columns against each mart's latest materialization (file, line and fix).
/// </summary>
public static class DashboardsApi
{
    public static IEndpointRouteBuilder MapDashboardsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/dashboards", async (AssetProject project, RunStoreQueries queries, CancellationToken cancellationToken) =>
            {
                var columns = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                foreach (var mart in project.Dashboards.SelectMany(d => d.Charts.Select(c => c.Mart).Concat(d.Kpis.Select(k => k.Mart))).Distinct())
                {
                    if (await queries.LatestMaterializationAsync(mart, cancellationToken) is { Columns.Count: > 0 } latest)
                    {
                        columns[mart] = latest.Columns.Select(c => c.Name).ToList();
                    }
                }

                return TypedResults.Ok(new DashboardsView(project.Dashboards, DashboardFile.CheckColumns(project.DashboardsPath, project.Dashboards, columns)));
            })
            .WithTags("Marts").RequireRole(Role.Viewer).WithName("ListDashboards")
            .WithSummary("The dashboards declared in assets-sql/dashboards.yml (KPI tiles and charts, each over one mart), and any column they name that its mart lacks");
        return app;
    }
}

/// <summary>The declared dashboards, and the problems of their columns (empty when every mart has the columns named).</summary>
public sealed record DashboardsView(IReadOnlyList<Dashboard> Dashboards, IReadOnlyList<string> Problems);
