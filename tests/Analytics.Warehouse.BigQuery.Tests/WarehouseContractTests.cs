using System.Text.Json.Nodes;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Testing;

namespace Analytics.Warehouse.BigQuery.Tests;

/// <summary>What the API and UI read on BigQuery: preview through tabledata.list (paged), chart queries with typed, checked literals.</summary>
public sealed class WarehouseContractTests : IAsyncLifetime
{
    private static readonly RetryPolicy Quick = new(3, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20));

    private static readonly AssetDefinition Metrics = new(
        new AssetKey("growth_metrics"), "marts", Materialization.Table, "", [], null, [], "select 1", "growth_metrics.sql", 1, []);

    private GoogleApiServer _server = null!;
    private BigQueryWarehouse _warehouse = null!;

    public Task InitializeAsync()
    {
        _server = new GoogleApiServer { JobsFinishOnInsert = true };
        var settings = new BigQuerySettings("proj", "US", "", 1_000_000, null, _server.Url, _server.Url);
        _warehouse = new BigQueryWarehouse(new BigQueryClient(new GoogleRestTransport(null, Quick), settings) { Polling = Quick });
        _server.Tables["marts.growth_metrics"] = (
            new JsonArray(
                new JsonObject { ["name"] = "date", ["type"] = "DATE" },
                new JsonObject { ["name"] = "dau", ["type"] = "INTEGER" },
                new JsonObject { ["name"] = "stickiness", ["type"] = "FLOAT" },
                new JsonObject { ["name"] = "updated", ["type"] = "TIMESTAMP" },
                new JsonObject { ["name"] = "note", ["type"] = "STRING" }),
            Enumerable.Range(1, 5).Select(i => new[] { $"2025-01-0{i}", $"{i * 10}", i == 3 ? null : "0.5", "1735725600000000", "n" }).ToList<string?[]>(),
            "TABLE");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Preview_reads_the_table_page_by_page_with_typed_values()
    {
        var preview = await _warehouse.PreviewAsync(Metrics, 4, ReadScope.Unrestricted, CancellationToken.None);

        Assert.NotNull(preview);
        Assert.Equal(["date", "dau", "stickiness", "updated", "note"], preview.Columns.Select(c => c.Name));
        Assert.Equal(["date", "bigint", "double precision", "timestamp with time zone", "text"], preview.Columns.Select(c => c.Type));
        Assert.Equal(4, preview.Rows.Count);
        Assert.Equal(new DateOnly(2025, 1, 1), preview.Rows[0][0]);
        Assert.Equal(10L, preview.Rows[0][1]);
        Assert.Null(preview.Rows[2][2]);
        Assert.Equal(new DateTime(2025, 1, 1, 10, 0, 0), preview.Rows[0][3]);
        Assert.Equal(2, _server.Requests.Count(r => r.PathAndQuery.StartsWith("/bigquery/v2/projects/proj/datasets/marts/tables/growth_metrics/data", StringComparison.Ordinal)));
        Assert.Null(await _warehouse.PreviewAsync(Metrics with { Key = new AssetKey("never_built") }, 4, ReadScope.Unrestricted, CancellationToken.None));
    }

    [Fact]
    public async Task Row_checks_are_counted_in_one_query_whose_one_row_gives_a_count_per_check()
    {
        _server.Answer = _ => (new JsonArray(new JsonObject { ["name"] = "failing_1", ["type"] = "INTEGER" }, new JsonObject { ["name"] = "failing_2", ["type"] = "INTEGER" }),
            [["0", "3"]]);
        CheckDefinition[] checks =
        [
            new("m__not_null", CheckKind.NotNull, CheckSeverity.Error, ["date"], []),
            new("small", CheckKind.Expression, CheckSeverity.Error, [], [], Expression: "dau < 100"),
        ];
        var sql = CheckSqlBuilder.FailingCounts(checks, _warehouse.Dialect.Relation("marts", "growth_metrics"), _warehouse.Dialect);

        Assert.Equal([0L, 3L], await _warehouse.QueryCountsAsync(sql, CancellationToken.None));
        Assert.Equal("select count(case when (date is null) then 1 end) as failing_1, count(case when not coalesce((dau < 100), false) then 1 end) as failing_2 "
                     + "from `proj.marts.growth_metrics`", _server.Queries[^1]);
    }

    [Fact]
    public async Task A_chart_query_checks_columns_and_renders_typed_literals()
    {
        _server.Answer = _ => (new JsonArray(new JsonObject { ["name"] = "date", ["type"] = "DATE" }, new JsonObject { ["name"] = "dau", ["type"] = "INTEGER" },
            new JsonObject { ["name"] = "__total", ["type"] = "INTEGER" }), [["2025-01-02", "20", "4"]]);
        var query = new TableQuery(["date", "dau"], [new TableFilter("date", FilterOperator.Gte, "2025-01-02"), new TableFilter("dau", FilterOperator.Lt, "100")], "date", true, 10);

        var rows = await _warehouse.QueryAsync(Metrics, query, ReadScope.Unrestricted, CancellationToken.None);

        Assert.NotNull(rows);
        Assert.Equal(4, rows.Total);
        Assert.Equal(new object?[] { new DateOnly(2025, 1, 2), 20L }, rows.Rows[0]);
        Assert.Equal(
            "select `date`, `dau`, count(*) over () as __total from `proj.marts.growth_metrics` where `date` >= DATE '2025-01-02' and `dau` < 100 order by `date` desc limit 10",
            _server.Queries[^1]);

        await Assert.ThrowsAsync<TableQueryException>(() => _warehouse.QueryAsync(Metrics, query with { Columns = ["nope"] }, ReadScope.Unrestricted, CancellationToken.None));
        var notADate = await Assert.ThrowsAsync<TableQueryException>(() => _warehouse.QueryAsync(Metrics,
            query with { Filters = [new TableFilter("date", FilterOperator.Eq, "2025-01-02' or true --")] }, ReadScope.Unrestricted, CancellationToken.None));
        Assert.Contains("is not a date", notADate.Message);

        // Text is a string literal with its backslashes and quotes escaped, so a value cannot end it.
        await _warehouse.QueryAsync(Metrics, query with { Filters = [new TableFilter("note", FilterOperator.Eq, @"it's \' or 1=1 --")] }, ReadScope.Unrestricted, CancellationToken.None);
        Assert.Contains(@"where `note` = 'it\'s \\\' or 1=1 --' order by", _server.Queries[^1]);
    }

    [Fact]
    public void Views_are_views_and_the_landing_tables_are_declared_with_their_schema()
    {
        var statement = _warehouse.BuildStatement(Metrics with { Materialization = Materialization.View }, "\nselect 1\n");
        Assert.Equal("CREATE OR REPLACE VIEW `proj.marts.growth_metrics` AS\nselect 1", statement);
        Assert.Equal("CREATE TABLE IF NOT EXISTS `proj.raw.raw_events_rejected` (\n  file_id INT64 NOT NULL,\n  file_path STRING NOT NULL,\n"
                     + "  line_number INT64 NOT NULL,\n  raw_text STRING NOT NULL,\n  reason STRING NOT NULL\n)",
            _warehouse.CreateTableIfMissing("raw_events_rejected", BigQueryWarehouse.RejectedSchemaOf(TestSources.Events)));
    }
}
