using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

public class IncrementalDeclarationTests
{
    private static AssetDefinition Parse(string header, string sql = "select 1 as x") =>
        AssetFileParser.Parse("assets-sql/core/x.sql", "core", $"/*\n{header}\n*/\n{sql}").Asset;

    [Fact]
    public void An_incremental_header_declares_partitions_lookback_and_what_a_change_touches()
    {
        var asset = Parse("""
            materialization: incremental
            partition_by: week_start
            grain: week
            lookback: 2 weeks
            affected: |
              select week_start from {{ ref('other') }}
            """);

        var spec = asset.Incremental!;
        Assert.Equal(("week_start", DatePart.Week, 2, IncrementalStrategy.Replace), (spec.PartitionBy, spec.Grain, spec.Lookback, spec.Strategy));
        Assert.Equal("week_start", spec.Column);
        // What the affected query reads builds first.
        Assert.Contains(asset.Dependencies, d => d.Name == "other");
    }

    [Fact]
    public void Insert_new_matches_on_its_key_and_narrows_by_partition()
    {
        var spec = Parse("materialization: incremental\nincremental_strategy: insert_new\nunique_key: event_id\npartition_by: event_date").Incremental!;

        Assert.Equal("event_id", spec.Column);
        Assert.Equal("event_date", IncrementalSql.Write(spec, "(date '2025-01-01')").ProbeColumn);
    }

    [Fact]
    public void Insert_new_may_match_on_several_key_columns()
    {
        var spec = Parse("materialization: incremental\nincremental_strategy: insert_new\nunique_key: [tenant_id, grain, user_id]\npartition_by: period_start").Incremental!;
        var write = IncrementalSql.Write(spec, "(date '2025-01-01')");

        Assert.Equal(["tenant_id", "grain", "user_id"], write.MatchColumns);
        Assert.Equal("e.tenant_id = i.tenant_id and e.grain = i.grain and e.user_id = i.user_id and e.period_start = i.period_start", write.Matches("e", "i"));
    }

    [Fact]
    public void A_table_whose_partitions_depend_on_the_ones_before_says_so()
    {
        Assert.True(Parse("materialization: incremental\npartition_by: d\naffects_later: true").Incremental!.AffectsLater);
        Assert.False(Parse("materialization: incremental\npartition_by: d").Incremental!.AffectsLater);
    }

    [Fact]
    public void The_start_of_the_affected_partitions_and_whether_a_build_is_a_backfill_render_in_an_incremental_build()
    {
        var template = SqlTemplate.Parse("select {{ is_backfill() }} as b where d >= {{ affected_start() }}");
        var incremental = new RenderContext(PostgresDialect.Instance, "t", true, _ => null);
        Assert.Contains("affected_start() is defined only", Assert.Throws<TemplateException>(() => template.Render(incremental)).Message);
        Assert.Equal("select true as b where d >= date '2025-03-01'", template.Render(incremental with { AffectedStart = "date '2025-03-01'", IsBackfill = true }));
    }

    [Fact]
    public void Incremental_without_partitions_keeps_dbt_append_and_a_source_declares_its_load_id()
    {
        Assert.Null(Parse("materialization: incremental").Incremental);
        var source = Parse("materialization: source\nload_id: file_id\npartition_by: event_time", "");
        Assert.Equal(("file_id", "event_time"), (source.LoadId, source.PartitionBy));
    }

    [Theory]
    [InlineData("materialization: incremental\npartition_by: d\nlookback: soon", "is not a number of partitions")]
    [InlineData("materialization: incremental\npartition_by: d\nlookback: 3 weeks", "but the partitions are days")]
    [InlineData("materialization: incremental\npartition_by: d\nlookback: 5000 days", "at most 1000")]
    [InlineData("materialization: incremental\npartition_by: d\ngrain: year", "grain 'year' is unknown")]
    [InlineData("materialization: incremental\nunique_key: k\ngrain: week", "'grain' applies to date partitions")]
    [InlineData("materialization: incremental\npartition_by: d\nincremental_strategy: insert_new", "needs 'unique_key")]
    [InlineData("materialization: incremental\npartition_by: d\nincremental_strategy: merge", "incremental_strategy 'merge' is unknown")]
    [InlineData("materialization: incremental\npartition_by: d\naffected: [1, 2]", "'affected' must be SQL")]
    [InlineData("materialization: incremental\npartition_by: d\naffected: \"select {{ nope() }}\"", "unknown function 'nope'")]
    [InlineData("materialization: incremental\nlookback: 3 days", "needs 'partition_by")]
    [InlineData("materialization: incremental\nunique_key: k\naffects_later: true", "'affects_later' applies to date partitions")]
    [InlineData("materialization: incremental\nunique_key: [a, b]", "needs 'incremental_strategy: insert_new'")]
    [InlineData("materialization: incremental\nincremental_strategy: insert_new\nunique_key: [a, b, c, d, e]", "at most 4 column(s)")]
    [InlineData("materialization: incremental\npartition_by: d\naffects_later: often", "affects_later 'often' is not true or false")]
    [InlineData("materialization: table\naffects_later: true", "applies to incremental assets only")]
    [InlineData("materialization: table\nunique_key: k", "applies to incremental assets only")]
    [InlineData("materialization: table\nload_id: file_id", "'load_id' applies to sources only")]
    [InlineData("materialization: view\nindexes: [a]", "applies to tables only")]
    [InlineData("indexes: [a, b, c, d, e, f, g, h, i]", "at most 8")]
    [InlineData("indexes: [[a, 'b; drop table x']]", "is not a column name")]
    public void A_bad_incremental_header_is_refused_with_the_fix(string header, string message)
    {
        var e = Assert.Throws<AssetDeclarationException>(() => Parse(header));
        Assert.Contains(message, e.Message);
        Assert.Contains("assets-sql/core/x.sql", e.Message);
    }

    [Fact]
    public void Affected_and_changed_render_only_where_an_incremental_build_gives_them()
    {
        var template = SqlTemplate.Parse("select 1 from t where d in {{ affected() }}");
        var full = new RenderContext(PostgresDialect.Instance, "t", false, _ => null);
        Assert.Contains("inside {% if is_incremental() %}", Assert.Throws<TemplateException>(() => template.Render(full)).Message);
        Assert.Equal("select 1 from t where d in (date '2025-03-01')",
            template.Render(full with { IsIncremental = true, Affected = "(date '2025-03-01')" }));
        Assert.Contains("names no source with a load_id",
            Assert.Throws<TemplateException>(() => SqlTemplate.Parse("select * from {{ changed('t') }}").Render(full)).Message);
    }

    [Theory]
    [InlineData("2025-03-05", DatePart.Week, "2025-03-03")]
    [InlineData("2025-03-02", DatePart.Week, "2025-02-24")]
    [InlineData("2025-03-31", DatePart.Month, "2025-03-01")]
    [InlineData("2025-03-31", DatePart.Day, "2025-03-31")]
    public void Partitions_truncate_like_the_dialects(string date, DatePart grain, string start) =>
        Assert.Equal(DateOnly.Parse(start), Partitions.Truncate(DateOnly.Parse(date), grain));

    [Fact]
    public void The_days_of_a_week_partition_are_its_seven_days()
    {
        Assert.Equal("(date '2025-03-03', date '2025-03-04', date '2025-03-05', date '2025-03-06', date '2025-03-07', date '2025-03-08', date '2025-03-09')",
            IncrementalSql.DayList([new DateOnly(2025, 3, 3)], DatePart.Week));
        Assert.Equal(3, Partitions.Range(new DateOnly(2025, 1, 15), new DateOnly(2025, 3, 1), DatePart.Month).Count());
    }

    [Theory]
    [InlineData("9999-12-27", DatePart.Week, "9999-12-31")]
    [InlineData("9999-12-20", DatePart.Week, "9999-12-26")]
    [InlineData("9999-12-01", DatePart.Month, "9999-12-31")]
    [InlineData("9999-11-01", DatePart.Month, "9999-11-30")]
    [InlineData("9999-12-31", DatePart.Day, "9999-12-31")]
    [InlineData("9999-12-30", DatePart.Day, "9999-12-30")]
    public void A_partition_at_the_end_of_the_calendar_ends_on_its_last_day(string start, DatePart grain, string last)
    {
        Assert.Equal(DateOnly.Parse(last), Partitions.LastDay(DateOnly.Parse(start), grain));
        Assert.EndsWith($"date '{last}')", IncrementalSql.DayList([DateOnly.Parse(start)], grain));
    }
}
