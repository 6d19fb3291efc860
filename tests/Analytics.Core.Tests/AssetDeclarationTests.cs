using Analytics.Core.Assets;
using Analytics.Testing;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

public class AssetDeclarationTests
{
    private const string Declared = """
        /*
        description: Users, one row each.
        materialization: incremental
        tags: [core, users]
        owner: growth
        checks:
          - not_null: [user_id, first_event_at]
          - unique: user_id
          - accepted_values: {column: platform, values: [ios, android, web], severity: warn}
          - relationships: {column: user_id, to: stg_events, field: user_id}
          - expression: {sql: "miles_balance = miles_earned - miles_redeemed", name: balance_identity}
          - row_count: {min: 1, max: 10}
        */
        select * from {{ ref('stg_events') }}
        """;

    [Fact]
    public void Header_yaml_declares_metadata_and_checks()
    {
        var (asset, _) = AssetFileParser.Parse("assets-sql/core/dim_users.sql", "core", Declared);

        Assert.Equal("dim_users", asset.Key.Name);
        Assert.Equal("core", asset.Schema);
        Assert.Equal(Materialization.Incremental, asset.Materialization);
        Assert.Equal("Users, one row each.", asset.Description);
        Assert.Equal(["core", "users"], asset.Tags);
        Assert.Equal("growth", asset.Owner);
        Assert.Equal(13, asset.SqlFirstLine);
        Assert.Equal(
            [CheckKind.NotNull, CheckKind.Unique, CheckKind.AcceptedValues, CheckKind.Relationships, CheckKind.Expression, CheckKind.RowCount],
            asset.Checks.Select(c => c.Kind));
        Assert.Equal(["user_id", "first_event_at"], asset.Checks[0].Columns);
        Assert.Equal(CheckSeverity.Warn, asset.Checks[2].Severity);
        Assert.Equal("balance_identity", asset.Checks[4].Name);
        Assert.Equal("dim_users__unique__user_id", asset.Checks[1].Name);
        Assert.Equal((1L, 10L), (asset.Checks[5].Min!.Value, asset.Checks[5].Max!.Value));
    }

    [Fact]
    public void Dependencies_come_from_refs_and_relationship_targets()
    {
        var (asset, _) = AssetFileParser.Parse("assets-sql/core/x.sql", "core", """
            /*
            checks:
              - relationships: {column: user_id, to: dim_users, field: user_id}
            */
            select * from {{ ref('stg_events') }} join {{ ref('stg_events') }} using (id)
            """);
        Assert.Equal(["stg_events", "dim_users"], asset.Dependencies.Select(d => d.Name));
        Assert.Equal(["dim_users"], asset.CheckDependencies.Select(d => d.Name));
        Assert.Equal(["stg_events"], asset.Inputs.Select(d => d.Name));
    }

    [Fact]
    public void An_asset_a_check_reads_and_the_sql_reads_too_is_an_input_not_a_check_dependency()
    {
        var (asset, _) = AssetFileParser.Parse("assets-sql/core/x.sql", "core", """
            /*
            checks:
              - relationships: {column: user_id, to: dim_users, field: user_id}
              - query: {name: no_orphans, sql: "select 1 from {{ ref('stg_users') }} where false"}
            */
            select * from {{ ref('stg_events') }} join {{ ref('dim_users') }} using (user_id)
            """);

        Assert.Equal(["stg_events", "dim_users", "stg_users"], asset.Dependencies.Select(d => d.Name));
        Assert.Equal(["stg_users"], asset.CheckDependencies.Select(d => d.Name));
        Assert.Equal(["stg_events", "dim_users"], asset.Inputs.Select(d => d.Name));
    }

    [Theory]
    [InlineData("inj\"; create table marts.pwned (x int); --", "core")]
    [InlineData("Daily_Users", "core")]
    [InlineData("daily-users", "core")]
    [InlineData("1st_day", "core")]
    [InlineData("a_key_of_sixty_four_characters_which_postgres_would_cut_short_xy", "core")]
    [InlineData("dim_users", "Core")]
    [InlineData("dim_users", "core\"; drop schema raw; --")]
    public void An_asset_key_or_layer_that_is_no_plain_lowercase_name_of_at_most_63_characters_is_refused_naming_the_file_and_the_rule(string key, string layer)
    {
        var path = $"assets-sql/{layer}/{key}.sql";

        var error = Assert.Throws<AssetDeclarationException>(() => AssetFileParser.Parse(path, layer, "select 1 as x"));

        Assert.StartsWith(path + ":", error.Message);
        Assert.Contains(AssetKey.Rule, error.Message);
    }

    [Fact]
    public void Keys_of_63_characters_and_underscores_are_fine()
    {
        var key = "_" + new string('a', AssetKey.MaxLength - 2) + "9";

        var (asset, _) = AssetFileParser.Parse($"assets-sql/core/{key}.sql", "core", "select 1 as x");

        Assert.Equal(63, asset.Key.Name.Length);
    }

    [Theory]
    [InlineData("/*\nmaterialization: snapshots\n*/\nselect 1", "materialization 'snapshots' is unknown; use table, view, incremental, snapshot or source")]
    [InlineData("/*\nchecks:\n  - not_nul: a\n*/\nselect 1", "unknown check 'not_nul'")]
    [InlineData("/*\nchecks:\n  - accepted_values: {column: a}\n*/\nselect 1", "non-empty 'values'")]
    [InlineData("/*\nchecks:\n  - relationships: {column: a, to: b}\n*/\nselect 1", "needs 'column', 'to' (an asset) and 'field'")]
    [InlineData("/*\nchecks:\n  - not_null: a\n    severity: fatal\n*/\nselect 1", "check #1")]
    [InlineData("/*\ndescription: [unclosed\n*/\nselect 1", "does not parse")]
    [InlineData("/*\ndescription: x\nselect 1", "never closed")]
    [InlineData("/*\ndescription: x\n*/\n", "no SQL")]
    // Found by fuzzing (scripts/fuzz asset-header): each was a NullReferenceException, an ArgumentException or a
    // TemplateException escaping the parser's one error type.
    [InlineData("/*\ntags: [~]\n*/\nselect 1", "'tags' must be a name or a list of names")]
    [InlineData("/*\ntags: [[a]]\n*/\nselect 1", "'tags' must be a name or a list of names")]
    [InlineData("/*\nchecks:\n  - ~: a\n*/\nselect 1", "check #1: unknown check")]
    [InlineData("select * from {{ ref(x) }}", "ref() takes a quoted asset name")]
    public void Bad_headers_are_errors_that_name_the_file(string text, string problem)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => AssetFileParser.Parse("assets-sql/core/x.sql", "core", text));
        Assert.Contains("assets-sql/core/x.sql", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Unknown_ref_names_the_file_line_and_closest_assets()
    {
        var root = TestFiles.Assets(new()
        {
            ["staging/stg_events.sql"] = "select 1 as id",
            ["core/fct_events.sql"] = "/*\ndescription: f\n*/\nselect *\nfrom {{ ref('stg_event') }}",
        });

        var error = Assert.Throws<AssetDeclarationException>(() => AssetProject.Load(root));

        Assert.Contains("core/fct_events.sql:5", error.Message);
        Assert.Contains("ref('stg_event') names no asset", error.Message);
        Assert.Contains("Did you mean 'stg_events'", error.Message);
    }

    [Fact]
    public void Two_files_declaring_one_key_is_an_error()
    {
        var root = TestFiles.Assets(new() { ["staging/a.sql"] = "select 1", ["core/a.sql"] = "select 2" });
        var error = Assert.Throws<AssetDeclarationException>(() => AssetProject.Load(root));
        Assert.Contains("declared twice", error.Message);
    }

    [Fact]
    public void Compile_renders_refs_to_schema_qualified_relations()
    {
        var root = TestFiles.Assets(new()
        {
            ["staging/stg.sql"] = "select 1 as id",
            ["marts/m.sql"] = "select * from {{ ref('stg') }}",
        });
        var project = AssetProject.Load(root);
        Assert.Equal("select * from \"staging\".\"stg\"", project.Compile("m", Analytics.Warehouse.Postgres.PostgresDialect.Instance));
        Assert.Equal("select * from `staging.stg`", project.Compile("m", new Analytics.Warehouse.BigQuery.BigQueryDialect()));
    }

    [Fact]
    public void The_shipped_assets_load_and_form_one_graph()
    {
        var project = AssetProject.Load(TestFiles.RepositoryAssets);
        // The sources come first (alphabetical within a level), each declared as data.
        Assert.Equal(["raw_api_keys", "raw_audit_log", "raw_events", "raw_partner_channels", "raw_topups", "raw_users"], project.Graph.TopologicalOrder.Take(6));
        Assert.All(project.Graph.TopologicalOrder.Take(6), key => Assert.NotNull(project.Graph[key].Source));
        Assert.True(project.Graph.Contains("fct_events"));
        Assert.True(project.Graph.Contains("dim_users"));
    }
}
