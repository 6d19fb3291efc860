using System.Text.Json.Nodes;
using Analytics.Core.Assets;
using Analytics.Core.Templating;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>
/// Access on BigQuery, enforced by BigQuery: each shipped table's row access policies (a tenant's readers see its
/// rows; the all-tenants readers, the app among them, see every row) and the pii policy tag on its classified
/// columns, rendered to checked-in golden files (regenerate with UPDATE_GOLDEN=1), and sent after every full build.
/// </summary>
public sealed class AccessRenderingTests : IAsyncLifetime
{
    private static readonly AssetProject Project = AnalyticsEnvironment.LoadAssets(new AnalyticsSettings(null, null, null, null));

    private const string Tag = "projects/proj/locations/us/taxonomies/123/policyTags/456";

    private static readonly Dictionary<string, string> Example = new()
    {
        ["ANALYTICS_BIGQUERY_TENANT_READERS"] = "acme=group:acme-analysts@example.com; globex=user:ana@example.com,user:bo@example.com",
        ["ANALYTICS_BIGQUERY_ALL_TENANTS_READERS"] = "serviceAccount:analytics@proj.iam.gserviceaccount.com",
        ["ANALYTICS_BIGQUERY_PII_POLICY_TAG"] = Tag,
    };

    private GoogleApiServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new GoogleApiServer { JobsFinishOnInsert = true };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static string Render(BigQueryAccess access, AssetDefinition asset)
    {
        var dialect = new BigQueryDialect("proj");
        var tenanted = Project.Compile(asset.Key.Name, dialect).Contains("tenant_id", StringComparison.Ordinal);
        var text = string.Join(";\n\n", access.RowAccessStatements(dialect.Relation(asset.Schema, asset.Key.Name), hasTenantColumn: tenanted)) + ";\n";
        foreach (var (column, kind) in asset.Classification.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            text += $"-- tables.patch: schema field {column} ({kind}) gets policyTags.names = [\"{access.PiiPolicyTag}\"]\n";
        }

        return text;
    }

    [Fact]
    public void Every_tables_row_access_and_policy_tags_render_to_their_golden_files()
    {
        var access = BigQueryAccess.FromLookup(Example.GetValueOrDefault);
        var folder = Path.Combine(TestFiles.RepositoryRoot, "tests", "Analytics.Warehouse.BigQuery.Tests", "golden", "bigquery", "access");
        var tables = Project.Graph.TopologicalOrder.Where(k => Project.Graph[k].Materialization is Materialization.Table or Materialization.Incremental).ToList();
        // Every shipped table carries the tenant, so each gets the tenants' policies; but the security marts, built from the
        // platform's own audit log and keys, which name no tenant: only the all-tenants readers are granted those.
        Assert.All(tables.Where(k => !Project.Graph[k].Tags.Contains("security")),
            k => Assert.Contains("tenant_id", Project.Compile(k, new BigQueryDialect()), StringComparison.Ordinal));
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(folder);
            foreach (var key in tables)
            {
                File.WriteAllText(Path.Combine(folder, key + ".sql"), Render(access, Project.Graph[key]));
            }
        }

        Assert.Equal(tables.Select(k => k + ".sql").Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        foreach (var key in tables)
        {
            Assert.True(File.ReadAllText(Path.Combine(folder, key + ".sql")) == Render(access, Project.Graph[key]),
                $"access/{key}.sql differs from the rendering; if the change is intended, regenerate with UPDATE_GOLDEN=1.\n{Render(access, Project.Graph[key])}");
        }

        var dim = File.ReadAllText(Path.Combine(folder, "dim_users.sql"));
        Assert.Contains("GRANT TO (\"group:acme-analysts@example.com\")\nFILTER USING (tenant_id = \"acme\")", dim);
        Assert.Contains("GRANT TO (\"serviceAccount:analytics@proj.iam.gserviceaccount.com\")\nFILTER USING (TRUE)", dim);
        Assert.Contains("schema field user_id (pii)", dim);
        Assert.DoesNotContain("policyTags", File.ReadAllText(Path.Combine(folder, "growth_metrics.sql")));
    }

    [Fact]
    public void A_table_without_a_tenant_column_is_readable_by_the_all_tenants_readers_only()
    {
        var access = BigQueryAccess.FromLookup(Example.GetValueOrDefault);
        var statement = Assert.Single(access.RowAccessStatements("`proj.marts.t`", hasTenantColumn: false));
        Assert.StartsWith("CREATE OR REPLACE ROW ACCESS POLICY all_tenants ON `proj.marts.t`", statement);
        Assert.Empty(BigQueryAccess.None.RowAccessStatements("`proj.marts.t`", hasTenantColumn: true));
        // Tenants whose names differ only in characters a policy name cannot hold still get policies of their own.
        Assert.NotEqual(BigQueryAccess.PolicyName("a.b"), BigQueryAccess.PolicyName("a_b"));
    }

    [Theory]
    [InlineData("ANALYTICS_BIGQUERY_TENANT_READERS", "acme", "write TENANT=GRANTEE")]
    [InlineData("ANALYTICS_BIGQUERY_TENANT_READERS", "acme=bob@example.com", "user:, group:, serviceAccount: or domain:")]
    [InlineData("ANALYTICS_BIGQUERY_TENANT_READERS", "acme=user:a@x.org;acme=user:b@x.org", "names tenant 'acme' twice")]
    [InlineData("ANALYTICS_BIGQUERY_PII_POLICY_TAG", "pii", "projects/PROJECT/locations/LOCATION/taxonomies/TAXONOMY/policyTags/TAG")]
    public void A_malformed_access_setting_names_itself_and_the_fix(string variable, string value, string fix)
    {
        var settings = new Dictionary<string, string> { ["ANALYTICS_BIGQUERY_ALL_TENANTS_READERS"] = "serviceAccount:app@p.iam.gserviceaccount.com", [variable] = value };
        var error = Assert.Throws<ArgumentException>(() => BigQueryAccess.FromLookup(settings.GetValueOrDefault));
        Assert.Contains(variable, error.Message);
        Assert.Contains(fix, error.Message);
    }

    [Fact]
    public void Tenant_readers_without_all_tenants_readers_are_refused_since_the_app_would_read_nothing()
    {
        var error = Assert.Throws<ArgumentException>(() => BigQueryAccess.FromLookup(
            new Dictionary<string, string> { ["ANALYTICS_BIGQUERY_TENANT_READERS"] = "acme=group:a@x.org" }.GetValueOrDefault));
        Assert.Contains("ANALYTICS_BIGQUERY_ALL_TENANTS_READERS", error.Message);
    }

    [Fact]
    public async Task A_full_build_sends_the_policies_then_patches_the_schema_with_the_policy_tag()
    {
        var settings = new BigQuerySettings("proj", "US", "", 1_000_000, null, _server.Url, _server.Url, BigQueryAccess.FromLookup(Example.GetValueOrDefault));
        var quick = new RetryPolicy(3, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20));
        var warehouse = new BigQueryWarehouse(new BigQueryClient(new GoogleRestTransport(null, quick), settings) { Polling = quick });
        _server.Tables["core.dim_users"] = (
            new JsonArray(new JsonObject { ["name"] = "user_id", ["type"] = "STRING" }, new JsonObject { ["name"] = "tenant_id", ["type"] = "STRING" }),
            [], "TABLE");

        await warehouse.MaterializeAsync(Project.Graph["dim_users"], "select 'u' as user_id, 'acme' as tenant_id", null, CancellationToken.None);

        var policies = _server.Queries.Single(q => q.Contains("ROW ACCESS POLICY", StringComparison.Ordinal));
        Assert.Contains("FILTER USING (tenant_id = \"globex\")", policies);
        var patch = _server.Requests.Single(r => r.Method == "PATCH");
        Assert.EndsWith("/datasets/core/tables/dim_users", patch.PathAndQuery);
        var fields = patch.Json!["schema"]!["fields"]!.AsArray();
        Assert.Equal(Tag, fields.Single(f => f!["name"]!.GetValue<string>() == "user_id")!["policyTags"]!["names"]![0]!.GetValue<string>());
        Assert.Null(fields.Single(f => f!["name"]!.GetValue<string>() == "tenant_id")!["policyTags"]);

        // An incremental write keeps the table, and with it the policies and tags: nothing is sent again.
        var before = _server.Requests.Count(r => r.Method == "PATCH");
        await warehouse.MaterializeAsync(Project.Graph["dim_users"], "select 'u' as user_id, 'acme' as tenant_id",
            Core.Execution.IncrementalWrite.Append, CancellationToken.None);
        Assert.Equal(before, _server.Requests.Count(r => r.Method == "PATCH"));
    }
}
