using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

/// <summary>The SQL the engine writes around a build: its checks and its incremental write.</summary>
public class BuildSqlTests
{
    private static readonly CheckDefinition AtLeastTen = new("big__row_count__rows", CheckKind.RowCount, CheckSeverity.Error, [], [], Min: 10);

    [Fact]
    public void A_row_count_after_a_build_that_knows_the_tables_size_checks_that_size_without_reading_the_table()
    {
        var known = CheckSqlBuilder.FailingRows(AtLeastTen, "\"core\".\"big\"", PostgresDialect.Instance, k => k.Name, knownRows: 7);
        Assert.Equal("select row_count from (select 7 as row_count) as counted where row_count < 10", known);

        // A checks-only run, or a view, has no size from a build: the table is counted.
        var counted = CheckSqlBuilder.FailingRows(AtLeastTen, "\"core\".\"big\"", PostgresDialect.Instance, k => k.Name);
        Assert.Equal("select row_count from (select count(*) as row_count from \"core\".\"big\") as counted where row_count < 10", counted);
    }

    [Fact]
    public void Insert_new_over_weekly_partitions_looks_for_existing_keys_in_the_affected_weeks_by_the_weeks_of_its_column()
    {
        var spec = new IncrementalSpec("event_date", DatePart.Week, 1, "event_id", IncrementalStrategy.InsertNew, null) { KeyColumns = ["event_id"] };
        var write = IncrementalSql.Write(spec, "(date '2025-03-03')");

        Assert.Equal(" and (date_trunc('week', (existing.event_date)::timestamp)::date) in (date '2025-03-03')",
            write.InPartitions("existing", PostgresDialect.Instance));
        // A build by key has no partitions to narrow to.
        var byKey = IncrementalSql.Write(spec with { PartitionBy = null }, "(select 1)");
        Assert.Equal("", byKey.InPartitions("existing", PostgresDialect.Instance));
    }
}
