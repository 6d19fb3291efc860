using System.Net;
using System.Text.Json;
using Analytics.Api.Extensions;
using Analytics.Cli;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests;

/// <summary>
/// A key scoped to a tenant reads only that tenant's rows through every endpoint that returns warehouse rows: the
/// warehouse's row-level security does it (the reads run as a role that cannot bypass it), not the API's filters.
/// </summary>
public sealed class TenantAccessTests : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private readonly DatabaseFixture _db;
    private ApiHost _api = null!;

    /// <summary>The viewer routes that return warehouse rows, each walked below; every other viewer route returns none.</summary>
    private static readonly string[] RowRoutes = ["PreviewAsset", "GetMartRows"];

    /// <summary>
    /// The viewer routes that return no warehouse rows: the catalog, lineage, runs and automation from the run store
    /// (check samples withheld, below), dashboard definitions, and the sources' declarations and load counts (no row, no
    /// rejected row's text). A route added to the API is added to one list or the other.
    /// </summary>
    private static readonly string[] RowlessRoutes =
    [
        "ListAssets", "GetAsset", "GetAssetHistory", "GetAssetPartitions", "GetGraph", "ListDashboards",
        "ListRuns", "GetRun", "FollowRun", "ListSchedules", "ListSensors", "ListAlerts", "ListSources", "GetSource",
    ];

    public TenantAccessTests(DatabaseFixture db) => _db = db;

    public async Task InitializeAsync()
    {
        var settings = new AnalyticsSettings(_db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        var lines = new List<string> { TestFiles.Header + ",tenant_id" };
        var tenants = new[] { "acme", "globex" };
        for (var i = 0; i < 240; i++)
        {
            var day = new DateTime(2025, 1, 1).AddDays(i % 40).AddHours(i % 7);
            var type = (i % 4) switch { 0 => "miles_earned,dining,40", 1 => "miles_redeemed,travel,70", 2 => "like,,", _ => "share,," };
            lines.Add($"{day:yyyy-MM-dd HH:mm:ss},u{i % 9},{type},ios,google,SG,{tenants[i % 2]}");
        }

        var output = new StringWriter();
        Assert.True(await CliApp.RunAsync(["ingest", TestFiles.Csv([.. lines])], output, output, settings) == 0, output.ToString());
        Assert.True(await CliApp.RunAsync(["materialize", "*"], output, output, settings) == 0, output.ToString());
        _api = new ApiHost(_db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false);
    }

    public Task DisposeAsync()
    {
        _api.Dispose();
        return Task.CompletedTask;
    }

    private HttpClient As(string? key) => _api.ClientAs(key);

    private static List<string?> Tenants(JsonElement table)
    {
        var index = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList().IndexOf("tenant_id");
        Assert.True(index >= 0, "every shipped asset carries tenant_id");
        return table.GetProperty("rows").EnumerateArray().Select(r => r[index].GetString()).ToList();
    }

    [Fact]
    public async Task A_tenants_key_reads_only_its_tenants_rows_through_every_row_endpoint()
    {
        var acme = (await new ApiKeyStore(_db.DataSource).CreateAsync("acme-analyst", Role.Viewer, "acme", null, "test", CancellationToken.None, pii: true)).Key;
        var project = AssetProject.Load(TestFiles.RepositoryAssets);

        // The walk below covers every viewer route that returns warehouse rows; a new one must be added to it.
        var viewerRoutes = _api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<RequiredRole>()?.Role == Role.Viewer)
            .Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName).OfType<string>().ToList();
        Assert.Equal(RowRoutes.Concat(RowlessRoutes).Order(), viewerRoutes.Order());

        int walked = 0, mixed = 0, filled = 0;
        foreach (var key in project.Graph.Keys)
        {
            var everyone = await (await As(ApiHost.ApiKey).GetAsync($"/api/assets/{key}/preview?limit=1000")).JsonAsync();
            var theirs = await (await As(acme).GetAsync($"/api/assets/{key}/preview?limit=1000")).JsonAsync();
            if (project.Graph[key].Tags.Contains("security"))
            {
                // The platform's own audit log and keys name no tenant: a tenant's key sees none of their rows.
                Assert.Empty(theirs.GetProperty("rows").EnumerateArray());
                walked++;
                continue;
            }

            var all = Tenants(everyone);
            Assert.All(Tenants(theirs), t => Assert.Equal("acme", t));
            Assert.Equal(all.Count(t => t == "acme"), Tenants(theirs).Count);
            mixed += all.Any(t => t != "acme") && all.Contains("acme") ? 1 : 0;
            filled += all.Count > 0 ? 1 : 0;
            walked++;

            if (project.Graph[key].Layer == "marts")
            {
                var rows = await As(acme).GetAsync($"/api/marts/{key}/rows?limit=50000");
                Assert.Equal(HttpStatusCode.OK, rows.StatusCode);
                var table = await rows.JsonAsync();
                Assert.All(Tenants(table), t => Assert.Equal("acme", t));
                Assert.Equal(Tenants(table).Count, table.GetProperty("total").GetInt64());
                // Filters do not reach past the policy: asking for another tenant's rows finds none.
                var asked = await (await As(acme).GetAsync($"/api/marts/{key}/rows?filter=tenant_id:eq:globex")).JsonAsync();
                Assert.Equal(0, asked.GetProperty("total").GetInt64());
                var grouped = await (await As(acme).GetAsync($"/api/marts/{key}/rows?group_by=tenant_id")).JsonAsync();
                Assert.Equal(Tenants(table).Count > 0 ? ["acme"] : [], Tenants(grouped));
            }
        }

        Assert.Equal(project.Graph.Keys.Count(), walked);
        // The data gives nearly every asset it fills rows of both tenants, so the walk shows something was held back (the
        // example's appdb and partner sources are not loaded here, so their assets stay empty).
        Assert.True(filled >= 17 && mixed >= filled - 2, $"{mixed} of {filled} filled assets ({walked} walked) hold both tenants' rows");
    }

    [Fact]
    public async Task A_check_sample_is_withheld_from_a_tenants_key()
    {
        var acme = (await new ApiKeyStore(_db.DataSource).CreateAsync("acme-viewer", Role.Viewer, "acme", null, "test", CancellationToken.None, pii: true)).Key;
        // Failing rows kept by a check are read by the engine, across tenants: none go to a tenant's key.
        await using (var command = _db.DataSource.CreateCommand("""
            insert into runstore.check_executions (run_id, asset_key, check_name, severity, passed, failing_rows, sample, error)
            select run_id, 'growth_metrics', 'made_to_fail', 'warn', false, 1, '["tenant_id=globex, dau=3"]'::jsonb, null from runstore.runs limit 1
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        string Sample(JsonElement detail) => detail.GetProperty("check_results").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "made_to_fail")
            .GetProperty("sample").GetRawText();
        Assert.Contains("globex", Sample(await (await As(ApiHost.ApiKey).GetAsync("/api/assets/growth_metrics")).JsonAsync()));
        var withheld = Sample(await (await As(acme).GetAsync("/api/assets/growth_metrics")).JsonAsync());
        Assert.DoesNotContain("globex", withheld);
        Assert.Contains("sample withheld", withheld);
    }
}
