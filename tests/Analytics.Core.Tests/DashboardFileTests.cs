using Analytics.Core.Assets;
using Analytics.Core.Dashboards;
using Analytics.Testing;

namespace Analytics.Core.Tests;

/// <summary>assets-sql/dashboards.yml, the one declaration of the dashboards: what it reads, and each mistake named with its file and line.</summary>
public class DashboardFileTests
{
    private static readonly AssetProject Project = AssetProject.Load(TestFiles.RepositoryAssets);

    private static IReadOnlyList<Dashboard> Parse(string charts) =>
        DashboardFile.Parse("assets-sql/dashboards.yml", "dashboards:\n  growth:\n    title: Growth\n    charts:\n" + charts, Project.Graph);

    [Fact]
    public void The_shipped_file_declares_the_growth_dashboard_with_its_tiles_and_charts()
    {
        // Two ship: growth first (the default page), then security.
        Assert.Equal(["growth", "security"], Project.Dashboards.Select(d => d.Name));
        var growth = Project.Dashboards[0];
        Assert.Equal("Growth dashboard", growth.Title);
        Assert.Equal(["week", "month"], growth.Grains);
        Assert.Equal(6, growth.Kpis.Count);
        Assert.Equal(13, growth.Charts.Count);
        Assert.Equal("membership_transitions", growth.Charts.Single(c => c.Id == "membership-transitions").Mart);
        var accounting = growth.Charts.Single(c => c.Id == "growth-accounting");
        Assert.Equal("{grain}", accounting.Where["grain"]);
        Assert.True(accounting.Series.Single(s => s.Column == "churned_users").Negate);
        Assert.Equal("right", accounting.Series.Single(s => s.Column == "quick_ratio").Axis);
    }

    [Theory]
    [InlineData("      - { id: a, title: A, mart: growth_metrics, x: date, colour: red, series: [{ column: dau }] }\n",
        "assets-sql/dashboards.yml:5: a chart has no key 'colour'.")]
    [InlineData("      - { id: a, title: A, mart: fct_events, x: date, series: [{ column: dau }] }\n",
        "assets-sql/dashboards.yml:5: chart 'a': 'fct_events' is no mart. Dashboards read the marts only:")]
    [InlineData("      - { id: a, title: A, mart: growth_metric, x: date, series: [{ column: dau }] }\n",
        "Did you mean 'growth_metrics'?")]
    [InlineData("      - { id: a, title: A, mart: growth_metrics, kind: pie, x: date, series: [{ column: dau }] }\n",
        "assets-sql/dashboards.yml:5: chart 'a': kind 'pie' is none of bar, line, hbar, heatmap.")]
    [InlineData("      - { id: a, title: A, mart: growth_metrics, x: date }\n",
        "chart 'a' draws nothing: give it series (one column each), or split and value")]
    [InlineData("      - { id: a, title: A, mart: growth_metrics, x: date, series: [{ column: dau }] }\n      - { id: a, title: B, mart: growth_metrics, x: date, series: [{ column: wau }] }\n",
        "assets-sql/dashboards.yml:6: a chart: id 'a' is declared twice")]
    [InlineData("      - { id: a, title: A, mart: retention_cohorts, kind: heatmap, x: period_number }\n",
        "chart 'a' is a heatmap: it needs y (its rows) and value (its cells)")]
    [InlineData("      - { id: a, title: A, mart: growth_metrics, x: date, wide: yes, series: [{ column: dau }] }\n",
        "chart 'a': wide is 'yes'; write true or false")]
    [InlineData("      - [not, a, mapping]\n", "assets-sql/dashboards.yml:5: a chart must be a mapping")]
    public void A_mistake_is_named_with_the_file_line_and_fix(string charts, string message) =>
        Assert.Contains(message, Assert.Throws<AssetDeclarationException>(() => Parse(charts)).Message);

    [Fact]
    public void Columns_are_checked_against_the_marts_real_ones_naming_the_line_and_the_closest()
    {
        var dashboards = Parse("      - { id: a, title: A, mart: growth_metrics, x: date, series: [{ column: daus }] }\n");

        var problems = DashboardFile.CheckColumns("assets-sql/dashboards.yml", dashboards,
            new Dictionary<string, IReadOnlyList<string>> { ["growth_metrics"] = ["date", "dau", "wau"] });

        var problem = Assert.Single(problems);
        Assert.StartsWith("assets-sql/dashboards.yml:5: 'a' reads column 'daus', which growth_metrics does not have. Did you mean 'dau'", problem);
        Assert.EndsWith("Its columns: date, dau, wau.", problem);
        Assert.Empty(DashboardFile.CheckColumns("x", dashboards, new Dictionary<string, IReadOnlyList<string>>()));
    }
}
