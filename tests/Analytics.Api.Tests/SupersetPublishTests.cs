using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Superset;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>The publish client against a local server that follows Superset's login, CSRF and import sequence.</summary>
public class SupersetPublishTests
{
    private static MemoryStream Bundle()
    {
        var project = AssetProject.Load(TestFiles.RepositoryAssets);
        var marts = project.Graph.Keys.Select(k => project.Graph[k]).Where(a => a.Layer == "marts")
            .Select(a => new MartTable(a.Key.Name, a.Schema, a.Description, [new ColumnInfo("date", "date"), new ColumnInfo("users", "bigint")]))
            .ToList();
        var zip = new MemoryStream();
        BundleBuilder.Build(marts, project.Dashboards, "postgresql+psycopg2://analytics:" + FakeSuperset.DatabasePassword + "@db/analytics", DateTimeOffset.UnixEpoch).WriteZip(zip);
        zip.Position = 0;
        return zip;
    }

    private static Task<Uri> PublishAsync(FakeSuperset superset, string password = FakeSuperset.Password, string databasePassword = FakeSuperset.DatabasePassword) =>
        new SupersetPublisher(superset.Url).PublishAsync(Bundle(), FakeSuperset.Username, password, databasePassword, CancellationToken.None);

    [Fact]
    public async Task Publishing_imports_the_bundle_confirms_the_dashboard_and_twice_changes_nothing()
    {
        await using var superset = new FakeSuperset();

        var url = await PublishAsync(superset);
        var again = await PublishAsync(superset);

        Assert.Equal(new Uri(superset.Url, "/superset/dashboard/growth/"), url);
        Assert.Equal(url, again);
        Assert.Equal(2, superset.Imports); // both with overwrite=true over the same UUIDs
    }

    [Fact]
    public async Task Wrong_credentials_say_which_settings_to_fix_and_never_echo_the_password()
    {
        await using var superset = new FakeSuperset();

        var error = await Assert.ThrowsAsync<SupersetPublishException>(() => PublishAsync(superset, password: "wrong-password"));

        Assert.Contains("SUPERSET_USERNAME and SUPERSET_PASSWORD", error.Message);
        Assert.DoesNotContain("wrong-password", error.Message);
        Assert.Equal(0, superset.Imports);
    }

    [Fact]
    public async Task A_lost_session_cookie_is_named_as_the_csrf_problem_it_causes()
    {
        await using var superset = new FakeSuperset(FakeSuperset.Behaviour.NoSessionCookie);

        var error = await Assert.ThrowsAsync<SupersetPublishException>(() => PublishAsync(superset));

        Assert.Contains("CSRF", error.Message);
        Assert.Contains("session cookie", error.Message);
    }

    [Fact]
    public async Task A_422_lists_the_import_errors()
    {
        await using var superset = new FakeSuperset(FakeSuperset.Behaviour.RefuseImport);

        var error = await Assert.ThrowsAsync<SupersetPublishException>(() => PublishAsync(superset));

        Assert.Contains("(422)", error.Message);
        Assert.Contains("dataset marts.growth_metrics does not exist", error.Message);
        Assert.DoesNotContain(FakeSuperset.DatabasePassword, error.Message);
    }

    [Fact]
    public async Task A_wrong_warehouse_password_is_refused_by_the_importer_rule()
    {
        await using var superset = new FakeSuperset();

        var error = await Assert.ThrowsAsync<SupersetPublishException>(() => PublishAsync(superset, databasePassword: ""));

        Assert.Contains("Must provide a password for the database", error.Message);
    }
}
