using System.Text.RegularExpressions;
using Analytics.Core.Assets;
using Analytics.Core.Templating;
using Analytics.Orchestration;
using Analytics.Testing;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>
/// One asset source, two dialects: the compiled SQL of every shipped asset is checked in for both (golden files),
/// so any change to an asset or a macro shows up as a diff; BigQuery's has no PostgreSQL-only construct left.
/// Regenerate after an intended change with <c>UPDATE_GOLDEN=1 dotnet test tests/Analytics.Warehouse.BigQuery.Tests</c>.
/// </summary>
public sealed partial class DialectTests
{
    private static readonly AssetProject Project = AnalyticsEnvironment.LoadAssets(new AnalyticsSettings(null, null, null, null));

    public static TheoryData<string> Dialects => ["postgres", "bigquery"];

    public static ISqlDialect Dialect(string name) => name == "bigquery" ? new BigQueryDialect() : PostgresDialect.Instance;

    [Theory]
    [MemberData(nameof(Dialects))]
    public void Every_asset_compiles_to_its_checked_in_golden_file(string dialect)
    {
        var folder = Path.Combine(TestFiles.RepositoryRoot, "tests", "Analytics.Warehouse.BigQuery.Tests", "golden", dialect);
        var built = Project.Graph.TopologicalOrder.Where(k => !Project.Graph[k].IsSource).ToList();
        Assert.Equal(29, built.Count);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(folder);
            foreach (var key in built)
            {
                File.WriteAllText(Path.Combine(folder, key + ".sql"), Project.Compile(key, Dialect(dialect)).Trim() + "\n");
            }
        }

        Assert.Equal(built.Select(k => k + ".sql").Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        foreach (var key in built)
        {
            var expected = File.ReadAllText(Path.Combine(folder, key + ".sql"));
            var actual = Project.Compile(key, Dialect(dialect)).Trim() + "\n";
            Assert.True(expected == actual,
                $"{dialect}/{key}.sql differs from the compiled asset; if the change is intended, regenerate with UPDATE_GOLDEN=1.\n--- compiled:\n{actual}");
        }
    }

    [Fact]
    public void BigQuery_sql_has_no_postgres_only_construct()
    {
        var constructs = PostgresOnly;
        var found = new List<string>();
        foreach (var key in Project.Graph.TopologicalOrder.Where(k => !Project.Graph[k].IsSource))
        {
            // Comments are not sent as SQL constructs; strip them before looking.
            var sql = CommentPattern().Replace(Project.Compile(key, new BigQueryDialect()), "");
            found.AddRange(constructs.Where(c => c.Value.IsMatch(sql)).Select(c => $"{key}: {c.Key}"));
        }

        Assert.Empty(found);
    }

    /// <summary>Constructs PostgreSQL has and GoogleSQL lacks, by name.</summary>
    private static Dictionary<string, Regex> PostgresOnly => new()
    {
        ["'::' cast"] = CastPattern(),
        ["distinct on"] = new(@"distinct\s+on", RegexOptions.IgnoreCase),
        ["filter (where ...)"] = new(@"filter\s*\(\s*where", RegexOptions.IgnoreCase),
        ["generate_series"] = new(@"generate_series", RegexOptions.IgnoreCase),
        ["at time zone"] = new(@"at\s+time\s+zone", RegexOptions.IgnoreCase),
        ["lateral"] = new(@"\blateral\b", RegexOptions.IgnoreCase),
        ["make_date / make_interval"] = new(@"make_(date|interval)", RegexOptions.IgnoreCase),
        ["date_trunc('...')"] = new(@"date_trunc\s*\(\s*'", RegexOptions.IgnoreCase),
        ["double-quoted identifier"] = new("\"[a-z_]+\"\\."),
        ["row-value IN"] = new(@"\)\s+in\s+\(select", RegexOptions.IgnoreCase),
        // A line of its own that closes a subquery (a window's ORDER BY sits inside over (...) on one line).
        ["ORDER BY in a subquery"] = new(@"\n\s*order\s+by[^()\n]*\n\s*\)", RegexOptions.IgnoreCase),
    };

    /// <summary>GoogleSQL's reserved keywords, which cannot name a CTE, table alias or column without backticks.</summary>
    private static readonly HashSet<string> Reserved = new("""
        ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE CURRENT
        DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL
        GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP
        MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE
        RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN
        WHERE WINDOW WITH WITHIN
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries), StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void No_name_the_assets_give_is_a_bigquery_reserved_keyword()
    {
        var found = new List<string>();
        foreach (var key in Project.Graph.TopologicalOrder.Where(k => !Project.Graph[k].IsSource))
        {
            var sql = CommentPattern().Replace(Project.Compile(key, new BigQueryDialect()), "");
            found.AddRange(NamePattern().Matches(sql)
                .Select(m => m.Groups.Cast<Group>().Skip(1).First(g => g.Success).Value)
                .Where(Reserved.Contains)
                .Select(name => $"{key}: {name}"));
        }

        Assert.Empty(found);
    }

    [Fact]
    public void The_erasure_statements_render_to_their_golden_file_without_postgres_only_sql()
    {
        var erasure = new BigQueryErasure(Project, new BigQueryDialect("proj"));
        var script = erasure.Script();
        var path = Path.Combine(TestFiles.RepositoryRoot, "tests", "Analytics.Warehouse.BigQuery.Tests", "golden", "bigquery", "erasure", "erase.sql");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, script);
        }

        Assert.True(File.ReadAllText(path) == script, $"golden/bigquery/erasure/erase.sql differs; regenerate with UPDATE_GOLDEN=1.\n{script}");
        Assert.Empty(PostgresOnly.Where(c => c.Value.IsMatch(script)).Select(c => c.Key));
        // Every table holding a person's user_id is in it: raw_events (its subject) and each table asset classifying user_id.
        Assert.Contains("DELETE FROM `proj.raw.raw_events`\nWHERE user_id = @user_id\n  AND (@tenant IS NULL OR COALESCE(tenant_id, 'default') = @tenant)", script);
        Assert.Contains("DELETE FROM `proj.core.dim_users`", script);
        Assert.Contains("DELETE FROM `proj.raw.raw_events_rejected`\nWHERE REGEXP_CONTAINS(raw_text, @word_pattern)", script);
        // A view holds no rows of its own: the tables under it lose them.
        Assert.DoesNotContain("DELETE FROM `proj.staging.stg_users`", script);
    }

    [Fact]
    public void No_declared_source_column_is_a_bigquery_reserved_keyword()
    {
        // A source's columns name its BigQuery table's columns: CREATE TABLE (at TIMESTAMP) does not parse. (The audit
        // log's 'at' is read as recorded_at for that reason.)
        var found = Project.Graph.TopologicalOrder.Select(k => Project.Graph[k]).Where(a => a.Source is not null)
            .SelectMany(a => a.Source!.Columns.Select(c => (a.Key.Name, c.Name)))
            .Where(c => Reserved.Contains(c.Item2)).Select(c => $"{c.Item1}.{c.Item2}");

        Assert.Empty(found);
    }

    [Fact]
    public void The_alert_rules_and_checks_compile_for_bigquery_without_postgres_casts()
    {
        var alerts = Analytics.Core.Alerting.AlertFile.Load(AnalyticsEnvironment.AssetsFolder(new AnalyticsSettings(null, null, null, null)));
        foreach (var rule in alerts.Where(r => r.Query is not null))
        {
            var sql = Project.CompileQuery(rule.Query!, new BigQueryDialect());
            Assert.DoesNotMatch(CastPattern(), sql);
            Assert.DoesNotContain("\"", sql);
        }

        var dau = Project.CompileQuery(alerts.Single(r => r.Name == "dau_drop").Query!, new BigQueryDialect());
        Assert.Contains("DATE_ADD(DATE(latest.date), INTERVAL (-7) DAY)", dau);
    }

    [Fact]
    public void Macros_render_each_dialect()
    {
        var template = SqlTemplate.Parse("""
            select {{ distinct_on(user_id) }} user_id, {{ cast(count(*), numeric) }}, {{ count_if(x > 1) }}, {{ sum_if(m, t = 'a') }},
                   {{ count_distinct_if(u, t = 'b') }}, {{ utc_date(ts) }}, {{ date_add('month', n, d) }}
            from t {{ join_series(k, 0, n) }}
            {{ keep_first(user_id, 'ts, line') }}
            """);
        var pg = template.Render(new RenderContext(PostgresDialect.Instance, "", false, _ => null));
        var bq = template.Render(new RenderContext(new BigQueryDialect("p", "dev_"), "", false, _ => null));

        Assert.Contains("distinct on (user_id)", pg);
        Assert.Contains("(count(*))::numeric", pg);
        Assert.Contains("count(*) filter (where x > 1)", pg);
        Assert.Contains("sum(m) filter (where t = 'a')", pg);
        Assert.Contains("count(distinct u) filter (where t = 'b')", pg);
        Assert.Contains("((ts) at time zone 'UTC')::date", pg);
        Assert.Contains("(((d)::date + make_interval(months => (n)))::date)", pg);
        Assert.Contains("cross join lateral generate_series(0, n) as k_series(k)", pg);
        Assert.Contains("order by user_id, ts, line", pg);

        Assert.DoesNotContain("distinct", bq.Replace("COUNT(DISTINCT", ""), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("CAST(count(*) AS NUMERIC)", bq);
        Assert.Contains("COUNTIF(x > 1)", bq);
        Assert.Contains("SUM(IF(t = 'a', m, NULL))", bq);
        Assert.Contains("COUNT(DISTINCT IF(t = 'b', u, NULL))", bq);
        Assert.Contains("DATE(ts, 'UTC')", bq);
        Assert.Contains("DATE_ADD(DATE(d), INTERVAL (n) MONTH)", bq);
        Assert.Contains("CROSS JOIN UNNEST(GENERATE_ARRAY(0, n)) AS k", bq);
        Assert.Contains("QUALIFY ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY ts, line) = 1", bq);
        Assert.Equal("`p.dev_marts.growth_metrics`", new BigQueryDialect("p", "dev_").Relation("marts", "growth_metrics"));
    }

    [Theory]
    [InlineData("{{ cast(x, varchar2) }}", "cast() takes one of")]
    [InlineData("{{ count_if() }}", "count_if() takes 1 argument(s), got 0")]
    [InlineData("{{ keep_first(a) }}", "keep_first() takes 2 argument(s), got 1")]
    [InlineData("{{ date_add('year', 1, d) }}", "date_add takes 'day', 'week' or 'month'")]
    public void A_misused_macro_is_a_declaration_error_naming_the_file_and_the_fix(string sql, string expected)
    {
        var error = Assert.Throws<TemplateException>(() => SqlTemplate.Parse(sql, "assets-sql/marts/x.sql")
            .Render(new RenderContext(PostgresDialect.Instance, "", false, _ => null)));
        Assert.Contains("assets-sql/marts/x.sql:1", error.Message);
        Assert.Contains(expected, error.Message);
    }


    [GeneratedRegex(@"[\w)]::\w")]
    private static partial Regex CastPattern();

    /// <summary>Names an asset gives: "as name", "name as (" (a CTE) and ") name" (a subquery alias).</summary>
    [GeneratedRegex(@"\bas\s+(\w+)\b(?!\s*\()|(\w+)\s+as\s*\(|\)[ \t]*(\w+)[ \t]*$", RegexOptions.IgnoreCase | RegexOptions.Multiline)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex CommentPattern();
}
