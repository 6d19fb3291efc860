using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Warehouse.Postgres;

namespace Analytics.Core.Tests;

public class CheckSqlTests
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
}
