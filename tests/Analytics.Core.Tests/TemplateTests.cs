using Analytics.Core.Templating;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

public class TemplateTests
{
    private static RenderContext Context(bool incremental = false, ISqlDialect? dialect = null) =>
        new(dialect ?? PostgresDialect.Instance, "\"core\".\"me\"", incremental, name => name == "stg_events" ? "\"staging\".\"stg_events\"" : null);

    [Fact]
    public void Ref_renders_the_relation_of_the_named_asset()
    {
        var sql = SqlTemplate.Parse("select * from {{ ref('stg_events') }} where 1 = 1").Render(Context());
        Assert.Equal("select * from \"staging\".\"stg_events\" where 1 = 1", sql);
    }

    [Fact]
    public void References_report_each_ref_with_its_file_line()
    {
        var template = SqlTemplate.Parse("select 1\nfrom {{ ref(\"a\") }}\njoin\n{{ ref('b') }}", "x.sql", firstLine: 10);
        Assert.Equal([("a", 11), ("b", 13)], template.References().ToList());
    }

    [Fact]
    public void Is_incremental_block_renders_its_branch_by_context()
    {
        var template = SqlTemplate.Parse("select 1 {% if is_incremental() %}where t > (select max(t) from {{ this }}){% else %}where true{% endif %}");
        Assert.Equal("select 1 where t > (select max(t) from \"core\".\"me\")", template.Render(Context(incremental: true)));
        Assert.Equal("select 1 where true", template.Render(Context(incremental: false)));
    }

    [Fact]
    public void Negated_is_incremental_block_renders_on_full_builds_only()
    {
        var template = SqlTemplate.Parse("a{% if not is_incremental() %}b{% endif %}c");
        Assert.Equal("abc", template.Render(Context(incremental: false)));
        Assert.Equal("ac", template.Render(Context(incremental: true)));
    }

    [Theory]
    [InlineData("{{ date_trunc('week', event_date) }}", "(date_trunc('week', (event_date)::timestamp)::date)")]
    [InlineData("{{ date_trunc('day', event_time) }}", "((event_time)::date)")]
    [InlineData("{{ date_diff('day', a, b) }}", "(((b)::date - (a)::date))")]
    [InlineData("{{ safe_divide(count(x), sum(coalesce(y, 0))) }}", "((count(x))::numeric / nullif((sum(coalesce(y, 0))), 0))")]
    public void Macros_render_for_postgres(string source, string expected) =>
        Assert.Equal(expected, SqlTemplate.Parse(source).Render(Context()));

    [Theory]
    [InlineData("{{ date_trunc('week', event_date) }}", "DATE_TRUNC(DATE(event_date), ISOWEEK)")]
    [InlineData("{{ date_trunc('month', event_date) }}", "DATE_TRUNC(DATE(event_date), MONTH)")]
    [InlineData("{{ date_diff('month', a, b) }}", "DATE_DIFF(DATE(b), DATE(a), MONTH)")]
    [InlineData("{{ safe_divide(a, b) }}", "SAFE_DIVIDE(a, b)")]
    public void Macros_render_for_bigquery(string source, string expected) =>
        Assert.Equal(expected, SqlTemplate.Parse(source).Render(Context(dialect: new BigQueryDialect())));

    [Fact]
    public void Bigquery_relations_are_backquoted_with_the_project()
    {
        Assert.Equal("`proj.marts.growth_metrics`", new BigQueryDialect("proj").Relation("marts", "growth_metrics"));
    }

    [Theory]
    [InlineData("select {{ ref('a') ", "x.sql:1", "never closed")]
    [InlineData("select\n{{ reff('a') }}", "x.sql:2", "unknown function 'reff'")]
    [InlineData("{{ ref(a) }}", "x.sql:1", "quoted asset name")]
    [InlineData("{{ date_trunc('year', d) }}", "x.sql:1", "'day', 'week' or 'month'")]
    [InlineData("{% if x %}a{% endif %}", "x.sql:1", "not supported")]
    [InlineData("a\n\n{% endif %}", "x.sql:3", "without a matching")]
    [InlineData("{% if is_incremental() %}a", "x.sql", "never closed")]
    [InlineData("{{ safe_divide(a) }}", "x.sql:1", "takes 2 argument(s), got 1")]
    public void Template_errors_name_the_file_line_and_problem(string source, string where, string problem)
    {
        var error = Assert.Throws<TemplateException>(() => SqlTemplate.Parse(source, "x.sql").Render(Context()));
        Assert.StartsWith(where, error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void Braces_that_are_not_template_markers_are_kept()
    {
        Assert.Equal("select '{a}' as j", SqlTemplate.Parse("select '{a}' as j").Render(Context()));
    }
}

/// <summary>The one quoting function of each dialect: whatever a name holds, it stays one identifier.</summary>
public class IdentifierQuotingTests
{
    [Theory]
    [InlineData("plain", "\"plain\"", "`plain`")]
    [InlineData("in\"jection", "\"in\"\"jection\"", "`in\"jection`")]
    [InlineData("back`tick\\", "\"back`tick\\\"", "`back\\`tick\\\\`")]
    public void A_name_is_quoted_as_one_identifier_on_both_warehouses(string name, string postgres, string bigQuery)
    {
        Assert.Equal(postgres, PostgresDialect.Quote(name));
        Assert.Equal(bigQuery, BigQueryDialect.Quote(name));
        Assert.Equal("`p.raw.x`", new BigQueryDialect("p", "").Relation("raw", "x"));
    }
}
