using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Superset;
using Analytics.Testing;

namespace Analytics.Core.Tests;

/// <summary>The Superset bundle built from the catalog, and each rule of the validator written from Superset's import schemas.</summary>
public class SupersetBundleTests
{
    private const string Uri = "postgresql+psycopg2://analytics:s3cret@db:5432/analytics";

    /// <summary>The shipped marts with a few typed columns each (the builder reads names and types only).</summary>
    private static IReadOnlyList<MartTable> Marts()
    {
        var graph = AssetProject.Load(TestFiles.RepositoryAssets).Graph;
        return graph.Keys.Select(k => graph[k]).Where(a => a.Layer == "marts")
            .Select(a => new MartTable(a.Key.Name, a.Schema, a.Description, [new ColumnInfo("date", "date"), new ColumnInfo("dau", "bigint"), new ColumnInfo("grain", "text")]))
            .ToList();
    }

    private static SupersetBundle Build() => BundleBuilder.Build(Marts(), Uri, new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void The_built_bundle_passes_the_validator_and_survives_a_zip_round_trip()
    {
        var bundle = Build();
        using var zip = new MemoryStream();
        bundle.WriteZip(zip);
        zip.Position = 0;

        var read = SupersetBundle.ReadZip(zip);

        Assert.Empty(BundleValidator.Validate(bundle));
        Assert.Equal(bundle.Files, read.Files);
        Assert.Equal(11, read.Files.Keys.Count(k => k.StartsWith("datasets/", StringComparison.Ordinal)));
        Assert.True(read.Files.Keys.Count(k => k.StartsWith("charts/", StringComparison.Ordinal)) >= 14);
        Assert.Contains("XXXXXXXXXX", read.Files["databases/analytics_warehouse.yaml"]);
        Assert.DoesNotContain("s3cret", string.Concat(read.Files.Values));
    }

    [Fact]
    public void Building_twice_gives_the_same_uuids_so_a_second_import_updates_the_first()
    {
        var first = Build();
        var second = BundleBuilder.Build(Marts(), Uri, DateTimeOffset.UnixEpoch);

        Assert.Equal(first.Files.Where(f => f.Key != "metadata.yaml"), second.Files.Where(f => f.Key != "metadata.yaml"));
    }

    [Theory]
    [InlineData("postgresql://u:p@h:5432/d", "postgresql://u:XXXXXXXXXX@h:5432/d")]
    [InlineData("postgresql://u@h/d", "postgresql://u@h/d")]
    [InlineData("postgresql://u:p:with:colons@h/d", "postgresql://u:XXXXXXXXXX@h/d")]
    [InlineData("not a uri", "not a uri")]
    public void Passwords_are_masked_as_superset_masks_them(string uri, string masked) =>
        Assert.Equal(masked, BundleBuilder.MaskPassword(uri));

    [Theory]
    [InlineData("postgresql://u:p%40ss@h/d", "p@ss")]
    [InlineData("postgresql://u@h/d", null)]
    public void The_password_of_a_uri_is_read_decoded(string uri, string? password) =>
        Assert.Equal(password, BundleBuilder.PasswordOf(uri));

    private static IReadOnlyList<string> ValidateAfter(Action<SupersetBundle> change)
    {
        var bundle = Build();
        change(bundle);
        return BundleValidator.Validate(bundle);
    }

    private static string Chart(SupersetBundle bundle) => bundle.Files.Keys.First(k => k.StartsWith("charts/", StringComparison.Ordinal));

    private static string Dataset(SupersetBundle bundle) => bundle.Files.Keys.First(k => k.StartsWith("datasets/", StringComparison.Ordinal));

    [Fact]
    public void A_missing_required_key_is_named() =>
        Assert.Contains(ValidateAfter(b => b.Files[Chart(b)] = b.Files[Chart(b)].Replace("slice_name:", "slice_title:")),
            p => p.EndsWith("slice_name is required", StringComparison.Ordinal));

    [Fact]
    public void A_wrong_type_is_named() =>
        Assert.Contains(ValidateAfter(b => b.Files[Chart(b)] = b.Files[Chart(b)].Replace("dataset_uuid: ", "dataset_uuid: not-a-uuid-")),
            p => p.EndsWith("dataset_uuid must be a UUID", StringComparison.Ordinal));

    [Fact]
    public void A_chart_whose_dataset_is_not_in_the_bundle_is_an_error() =>
        Assert.Contains(ValidateAfter(b => b.Files.Remove("datasets/analytics_warehouse/growth_metrics.yaml")),
            p => p.Contains("names no dataset", StringComparison.Ordinal));

    [Fact]
    public void A_dataset_whose_database_is_not_in_the_bundle_is_an_error() =>
        Assert.Contains(ValidateAfter(b => b.Files.Remove("databases/analytics_warehouse.yaml")),
            p => p.Contains("database_uuid", StringComparison.Ordinal) && p.Contains("names no database", StringComparison.Ordinal));

    [Fact]
    public void A_position_placing_an_unknown_chart_is_an_error() =>
        Assert.Contains(ValidateAfter(b => b.Files.Remove(Chart(b))), p => p.StartsWith("dashboards/growth.yaml: the position places chart", StringComparison.Ordinal));

    [Fact]
    public void A_chart_on_no_dashboard_is_an_error() =>
        Assert.Contains(ValidateAfter(b => b.Files["charts/orphan.yaml"] = b.Files[Chart(b)].Replace(
                "uuid: " + SupersetBundle.StableUuid("chart:" + Path.GetFileNameWithoutExtension(Chart(b))), "uuid: " + Guid.NewGuid())),
            p => p == "charts/orphan.yaml: the chart is on no dashboard; place it in a dashboard's position");

    [Fact]
    public void Yaml_that_does_not_parse_is_named() =>
        Assert.Contains(ValidateAfter(b => b.Files[Dataset(b)] = "table_name: [unclosed"), p => p.Contains("does not parse", StringComparison.Ordinal));

    [Fact]
    public void A_plaintext_password_in_the_uri_is_refused() =>
        Assert.Contains(ValidateAfter(b => b.Files["databases/analytics_warehouse.yaml"] =
                b.Files["databases/analytics_warehouse.yaml"].Replace("XXXXXXXXXX", "hunter2")),
            p => p.Contains("password in plain text", StringComparison.Ordinal));

    [Fact]
    public void A_plaintext_password_field_is_refused() =>
        Assert.Contains(ValidateAfter(b => b.Files["databases/analytics_warehouse.yaml"] += "password: hunter2\n"),
            p => p.Contains("holds a password in plain text", StringComparison.Ordinal));

    [Fact]
    public void Metadata_must_say_it_is_a_dashboard_bundle()
    {
        Assert.Contains(ValidateAfter(b => b.Files.Remove("metadata.yaml")), p => p.StartsWith("metadata.yaml: missing", StringComparison.Ordinal));
        Assert.Contains(ValidateAfter(b => b.Files["metadata.yaml"] = b.Files["metadata.yaml"].Replace("Dashboard", "Chart")),
            p => p.Contains("a dashboard bundle says Dashboard", StringComparison.Ordinal));
    }
}
