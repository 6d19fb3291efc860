using Analytics.Core.Graph;
using Analytics.Core.Selection;
using static Analytics.Core.Tests.GraphTests;

namespace Analytics.Core.Tests;

public class SelectionTests
{
    // raw -> stg -> fct -> growth -> report ; stg -> dim ; other (independent, tagged growth)
    private static readonly AssetGraph Graph = new([
        Asset("raw_events", "raw", ["raw"]),
        Asset("stg_events", "staging", ["staging"], "raw_events"),
        Asset("fct_events", "core", ["core"], "stg_events"),
        Asset("dim_users", "core", ["core"], "stg_events"),
        Asset("growth_metrics", "marts", ["growth"], "fct_events"),
        Asset("report", "marts", [], "growth_metrics", "dim_users"),
        Asset("other", "marts", ["growth"]),
    ]);

    private static string[] Select(string text) => SelectionParser.Parse(text).ResolveOrdered(Graph).ToArray();

    [Theory]
    [InlineData("*", "other raw_events stg_events dim_users fct_events growth_metrics report")]
    [InlineData("", "other raw_events stg_events dim_users fct_events growth_metrics report")]
    [InlineData("fct_events", "fct_events")]
    [InlineData("+fct_events", "raw_events stg_events fct_events")]
    [InlineData("stg_events+", "stg_events dim_users fct_events growth_metrics report")]
    [InlineData("1+growth_metrics", "fct_events growth_metrics")]
    [InlineData("2+growth_metrics", "stg_events fct_events growth_metrics")]
    [InlineData("stg_events+1", "stg_events dim_users fct_events")]
    [InlineData("+fct_events+", "raw_events stg_events fct_events growth_metrics report")]
    [InlineData("@fct_events", "raw_events stg_events dim_users fct_events growth_metrics report")]
    [InlineData("tag:growth", "other growth_metrics")]
    [InlineData("layer:core", "dim_users fct_events")]
    [InlineData("key:*_events", "raw_events stg_events fct_events")]
    [InlineData("key:stg_*", "stg_events")]
    [InlineData("fct_events dim_users", "dim_users fct_events")]
    [InlineData("fct_events or dim_users", "dim_users fct_events")]
    [InlineData("layer:marts and tag:growth", "other growth_metrics")]
    [InlineData("layer:marts and not tag:growth", "report")]
    [InlineData("not layer:marts", "raw_events stg_events dim_users fct_events")]
    [InlineData("(tag:growth or tag:core) and not key:other", "dim_users fct_events growth_metrics")]
    [InlineData("+tag:growth", "other raw_events stg_events fct_events growth_metrics")]
    [InlineData("report and (raw_events or stg_events)", "")]
    public void Selection_resolves_to_the_documented_assets(string text, string expected) =>
        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries), Select(text));

    [Fact]
    public void And_binds_tighter_than_union()
    {
        Assert.Equal(["raw_events", "dim_users"], Select("raw_events dim_users and layer:core"));
    }

    [Fact]
    public void Unknown_name_suggests_the_closest_assets_and_points_at_it()
    {
        var error = Assert.Throws<SelectionException>(() => Select("tag:core or +fct_evnts"));
        Assert.Contains("No asset is called 'fct_evnts'", error.Message);
        Assert.Contains("'fct_events'", error.Message);
        Assert.Equal(13, error.Position);
    }

    [Theory]
    [InlineData("(fct_events", 11, "Missing ')'")]
    [InlineData("fct_events )", 11, "Unexpected ')'")]
    [InlineData("fct_events and", 14, "ends where")]
    [InlineData("and fct_events", 0, "cannot start")]
    [InlineData("colour:red", 0, "Unknown selection method 'colour:'")]
    [InlineData("tag:", 4, "needs a value")]
    [InlineData("@+fct_events", 0, "not a selection term")]
    [InlineData("fct_events++", 0, "not a selection term")]
    public void Bad_syntax_points_at_the_token(string text, int position, string problem)
    {
        var error = Assert.Throws<SelectionException>(() => Select(text));
        Assert.Equal(position, error.Position);
        Assert.Contains(problem, error.Problem);
        Assert.Contains(new string(' ', position + 2) + "^", error.Message);
    }

    [Fact]
    public void Parsed_selection_is_an_expression_tree()
    {
        var expression = SelectionParser.Parse("2+a and not tag:x");
        var and = Assert.IsType<AndSelection>(expression);
        var graph = Assert.IsType<GraphSelection>(and.Left);
        Assert.Equal(2, graph.UpDepth);
        Assert.IsType<NotSelection>(and.Right);
    }
}
