using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Superset;
using Analytics.Testing;

namespace Analytics.Superset.Tests;

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

    private static readonly AssetProject Project = AssetProject.Load(TestFiles.RepositoryAssets);

    private static SupersetBundle Build() => BundleBuilder.Build(Marts(), Project.Dashboards, Uri, new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));

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
        Assert.Equal(17, read.Files.Keys.Count(k => k.StartsWith("datasets/", StringComparison.Ordinal)));
        Assert.True(read.Files.Keys.Count(k => k.StartsWith("charts/", StringComparison.Ordinal)) >= 16);
        // The membership charts, on the users' history and the tier at each event's time.
        Assert.Contains("charts/membership-transitions.yaml", read.Files.Keys);
        Assert.Contains("charts/miles-by-tier.yaml", read.Files.Keys);
        Assert.Contains("datasets/analytics_warehouse/membership_transitions.yaml", read.Files.Keys);
        Assert.Contains("XXXXXXXXXX", read.Files["databases/analytics_warehouse.yaml"]);
        Assert.DoesNotContain("s3cret", string.Concat(read.Files.Values));
    }

    [Fact]
    public void Building_twice_gives_the_same_uuids_so_a_second_import_updates_the_first()
    {
        var first = Build();
        var second = BundleBuilder.Build(Marts(), Project.Dashboards, Uri, DateTimeOffset.UnixEpoch);

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

    [Fact]
    public void The_metadata_timestamp_is_quoted_so_yaml_reads_it_as_text()
    {
        var metadata = Build().Files["metadata.yaml"];

        Assert.Contains("timestamp: \"2026-11-23T00:00:00.000000+00:00\"", metadata);
        Assert.Equal("2026-11-23T00:00:00.000000+00:00", ((Dictionary<string, object?>)PyYaml.Load(metadata)!)["timestamp"]);
    }

    [Fact]
    public void An_unquoted_timestamp_is_refused_as_supersets_metadata_schema_refuses_it() =>
        Assert.Contains(ValidateAfter(b => b.Files["metadata.yaml"] = b.Files["metadata.yaml"].Replace("\"2026-11-23T00:00:00.000000+00:00\"", "2026-11-23T00:00:00.000000+00:00")),
            p => p.StartsWith("metadata.yaml: timestamp must be an ISO 8601 date and time, as text, but '2026-11-23T00:00:00.000000+00:00' is unquoted", StringComparison.Ordinal));

    [Fact]
    public void Every_chart_element_of_the_position_carries_a_chart_id_and_one_without_is_refused()
    {
        var dashboard = (Dictionary<string, object?>)PyYaml.Load(Build().Files["dashboards/growth.yaml"])!;
        var charts = ((Dictionary<string, object?>)dashboard["position"]!).Values.OfType<Dictionary<string, object?>>().Where(e => (string?)e["type"] == "CHART").ToList();
        Assert.True(charts.Count >= 14);
        Assert.All(charts, c => Assert.IsType<long>(((Dictionary<string, object?>)c["meta"]!)["chartId"]));
        Assert.Equal(charts.Count, charts.Select(c => ((Dictionary<string, object?>)c["meta"]!)["chartId"]).Distinct().Count());

        Assert.Contains(ValidateAfter(b => b.Files["dashboards/growth.yaml"] = System.Text.RegularExpressions.Regex.Replace(b.Files["dashboards/growth.yaml"], @"\n\s*chartId: \d+", "")),
            p => p.Contains("has no integer meta.chartId", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_charts_with_one_chart_id_are_refused() =>
        Assert.Contains(ValidateAfter(b => b.Files["dashboards/growth.yaml"] = b.Files["dashboards/growth.yaml"].Replace("chartId: 2\n", "chartId: 1\n")),
            p => p.Contains("meta.chartId 1 is given to 2 charts", StringComparison.Ordinal));

    [Fact]
    public void A_field_the_importers_schema_does_not_know_is_refused() =>
        Assert.Contains(ValidateAfter(b => b.Files[Chart(b)] += "colour: blue\n"),
            p => p.EndsWith("colour is no field Superset's importer knows, and its schema refuses unknown fields; leave it out", StringComparison.Ordinal));

    [Fact]
    public void A_null_where_the_schema_allows_none_is_refused() =>
        Assert.Contains(ValidateAfter(b => b.Files["databases/analytics_warehouse.yaml"] =
                b.Files["databases/analytics_warehouse.yaml"].Replace("expose_in_sqllab: true", "expose_in_sqllab: ~")),
            p => p.EndsWith("expose_in_sqllab may not be null; give it a value or leave it out", StringComparison.Ordinal));

    [Fact]
    public void A_version_yaml_reads_as_a_number_is_refused() =>
        Assert.Contains(ValidateAfter(b => b.Files[Chart(b)] = b.Files[Chart(b)].Replace("version: 1.0.0", "version: 1.0")),
            p => p.EndsWith("version must be text", StringComparison.Ordinal));

    [Fact]
    public void The_bundle_version_must_be_the_one_the_v1_importer_takes() =>
        Assert.Contains(ValidateAfter(b => b.Files["metadata.yaml"] = b.Files["metadata.yaml"].Replace("version: 1.0.0", "version: 2.0.0")),
            p => p == "metadata.yaml: version is '2.0.0'; the v1 importer takes only 1.0.0");

    [Fact]
    public void A_native_filter_on_a_dataset_outside_the_bundle_is_refused() =>
        Assert.Contains(ValidateAfter(b =>
            {
                var dashboard = (Dictionary<string, object?>)PyYaml.Load(b.Files["dashboards/growth.yaml"])!;
                var filter = (Dictionary<string, object?>)((List<object?>)((Dictionary<string, object?>)dashboard["metadata"]!)["native_filter_configuration"]!)[0]!;
                filter["targets"] = new List<object?> { new Dictionary<string, object?> { ["datasetUuid"] = "00000000-0000-0000-0000-000000000001" } };
                b.Files["dashboards/growth.yaml"] = PyYaml.Serializer().Serialize(dashboard);
            }),
            p => p.Contains("targets dataset 00000000-0000-0000-0000-000000000001, which no file in datasets/ has", StringComparison.Ordinal));

    [Theory]
    [InlineData("2025-01-01", "timestamp")]
    [InlineData("2025-1-1 10:00:00", "timestamp")]
    [InlineData("2026-11-23T00:00:00.000000+00:00", "timestamp")]
    [InlineData("on", "bool")]
    [InlineData("No", "bool")]
    [InlineData("012", "int")]
    [InlineData("0x1F", "int")]
    [InlineData("190:20:30", "int")]
    [InlineData("1_000", "int")]
    [InlineData(".5", "float")]
    [InlineData("1.0", "float")]
    [InlineData("-.inf", "float")]
    [InlineData("~", "null")]
    [InlineData("1.0.0", "str")]
    [InlineData("1e5", "str")]
    [InlineData("ROOT_ID", "str")]
    [InlineData("2025-01-01 noon", "str")]
    public void Plain_scalars_are_typed_as_pyyaml_types_them(string plain, string type) => Assert.Equal(type, PyYaml.ImplicitType(plain));

    [Theory]
    [InlineData("on")]
    [InlineData("2025-01-01")]
    [InlineData("012")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("1.5")]
    public void Strings_pyyaml_would_read_as_another_type_are_written_quoted(string text)
    {
        var yaml = PyYaml.Serializer().Serialize(new Dictionary<string, object?> { ["value"] = text });

        Assert.Equal(text, ((Dictionary<string, object?>)PyYaml.Load(yaml)!)["value"]);
    }

    [PythonYamlFact]
    public void Real_pyyaml_reads_every_file_of_the_bundle_to_the_types_our_reader_gives()
    {
        var bundle = Build();
        foreach (var (path, text) in bundle.Files)
        {
            // Both sides print the document's shape as JSON with each scalar's type: str, int, bool, float, NoneType, datetime...
            Assert.Equal(PythonYaml.Shape(text), PythonYaml.ShapeOf(PyYaml.Load(text)));
        }
    }

    [PythonYamlFact]
    public void Real_pyyaml_types_tricky_scalars_as_our_reader_does()
    {
        string[] samples = ["2025-01-01", "2025-1-1 10:00:00", "on", "No", "012", "0x1F", "190:20:30", "1_000", ".5", "1.0", "-.inf", "~", "1.0.0",
            "1e5", "ROOT_ID", "y", "0b101", "+12", "2025-01-01T00:00:00Z", "2025-01-01 10:00:00 +01:00", "null", "NULL", "0", "-0", "off", ".NaN"];
        var text = string.Join("\n", samples.Select((s, i) => $"k{i}: {s}")) + "\n";

        Assert.Equal(PythonYaml.Shape(text), PythonYaml.ShapeOf(PyYaml.Load(text)));
    }
}
