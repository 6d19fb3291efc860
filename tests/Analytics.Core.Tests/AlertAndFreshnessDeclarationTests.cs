using Analytics.Core.Alerting;
using Analytics.Core.Assets;
using Analytics.Core.Templating;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

/// <summary>alerts.yml and the freshness header: what they accept, and how they say what is wrong.</summary>
public class AlertAndFreshnessDeclarationTests
{
    [Theory]
    [InlineData("30m", 30 * 60)]
    [InlineData("2h", 2 * 3600)]
    [InlineData("1d", 86_400)]
    [InlineData("1h30m", 5400)]
    [InlineData(" 1w ", 7 * 86_400)]
    [InlineData("45s", 45)]
    public void Durations_read_as_people_write_them(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.TryParse(text));
        Assert.Equal(TimeSpan.FromSeconds(seconds), DurationText.TryParse(DurationText.Format(TimeSpan.FromSeconds(seconds))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("0m")]
    [InlineData("-5m")]
    [InlineData("5 minutes")]
    [InlineData("367d")]
    [InlineData("9999999m")]
    [InlineData("1h 30x")]
    public void Anything_else_is_no_duration(string text) => Assert.Null(DurationText.TryParse(text));

    [Fact]
    public void Freshness_is_read_from_the_header()
    {
        var (asset, _) = AssetFileParser.Parse("assets-sql/marts/m.sql", "marts", "/*\nfreshness: {max_age: 1h30m}\n*/\nselect 1 as x");

        Assert.Equal(TimeSpan.FromMinutes(90), asset.FreshnessMaxAge);
        Assert.Equal(TimeSpan.FromMinutes(30), AssetProject.Load(TestFiles.RepositoryAssets).Graph["growth_metrics"].FreshnessMaxAge);
    }

    [Theory]
    [InlineData("freshness: 30m", "freshness must be a mapping")]
    [InlineData("freshness: {max_age: soon}", "max_age 'soon' is not a duration")]
    [InlineData("freshness: {max_age: 30m, warn_after: 10m}", "freshness has no field 'warn_after'")]
    [InlineData("freshness: {}", "max_age '' is not a duration")]
    public void A_bad_freshness_names_the_file_and_the_fix(string header, string problem)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => AssetFileParser.Parse("assets-sql/marts/m.sql", "marts", $"/*\n{header}\n*/\nselect 1 as x"));
        Assert.StartsWith("assets-sql/marts/m.sql", error.Message);
        Assert.Contains(problem, error.Message);
        Assert.Contains("freshness: {max_age: 30m}", error.Message);
    }

    [Fact]
    public void The_shipped_alert_rules_load_and_their_queries_compile_against_the_shipped_assets()
    {
        var rules = AlertFile.Load(TestFiles.RepositoryAssets);
        var project = AssetProject.Load(TestFiles.RepositoryAssets);

        Assert.Equal(["run_failed", "blocking_check_failed", "freshness_sla", "growth_shrinking", "dau_drop", "refused_burst"], rules.Select(r => r.Name));
        Assert.Equal([AlertKind.RunFailed, AlertKind.CheckFailed, AlertKind.Freshness, AlertKind.Metric, AlertKind.Metric, AlertKind.Metric], rules.Select(r => r.Kind));
        var shrinking = project.CompileQuery(rules[3].Query!, new PostgresDialect());
        Assert.Contains("\"marts\".\"quick_ratio_analysis\"", shrinking);
        Assert.DoesNotContain("{{", shrinking);
        Assert.Contains("0.7 * t.average", project.CompileQuery(rules[4].Query!, new PostgresDialect()));
    }

    [Theory]
    [InlineData("alerts:\n  - {name: a, kind: sometimes}", "kind 'sometimes' is unknown")]
    [InlineData("alerts:\n  - {name: a, kind: metric}", "a metric rule needs sql")]
    [InlineData("alerts:\n  - {name: a, kind: run_failed, sql: select 1}", "only metric rules take sql")]
    [InlineData("alerts:\n  - {name: a, kind: run_failed, channel: pager}", "has no field 'channel'")]
    [InlineData("alerts:\n  - {kind: run_failed}", "alert #1 has no name")]
    [InlineData("alerts:\n  - {name: a, kind: run_failed}\n  - {name: a, kind: freshness}", "declared twice")]
    [InlineData("alerts:\n  - {name: a, kind: metric, sql: \"select {{ ref('x') \"}", "(alert a)")]
    [InlineData("alerts: [unclosed", "does not parse")]
    [InlineData("rules: []", "expected 'alerts:'")]
    public void A_bad_alert_file_names_the_file_the_rule_and_the_fix(string text, string problem)
    {
        var error = Assert.Throws<AssetDeclarationException>(() => AlertFile.Parse("assets-sql/alerts.yml", text));
        Assert.StartsWith("assets-sql/alerts.yml", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void An_alert_file_with_too_many_rules_is_refused()
    {
        var text = "alerts:\n" + string.Concat(Enumerable.Range(0, AlertFile.MaxRules + 1).Select(i => $"  - {{name: r{i}, kind: run_failed}}\n"));

        Assert.Contains($"at most {AlertFile.MaxRules}", Assert.Throws<AssetDeclarationException>(() => AlertFile.Parse("alerts.yml", text)).Message);
    }
}
