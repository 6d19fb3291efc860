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
    public void Checks_that_judge_each_row_alone_are_counted_in_one_read_a_column_each_and_of_the_written_partitions_only_after_an_incremental_build()
    {
        CheckDefinition[] checks =
        [
            new("t__not_null", CheckKind.NotNull, CheckSeverity.Error, ["id", "kind"], []),
            new("t__accepted_values", CheckKind.AcceptedValues, CheckSeverity.Error, ["kind"], ["a", "b'c"]),
            new("positive", CheckKind.Expression, CheckSeverity.Warn, [], [], Expression: "amount >= 0"),
        ];
        Assert.Equal("select count(case when (id is null or kind is null) then 1 end) as failing_1, "
                     + "count(case when kind is not null and kind not in ('a', 'b''c') then 1 end) as failing_2, "
                     + "count(case when not coalesce((amount >= 0), false) then 1 end) as failing_3 from \"core\".\"t\"",
            CheckSqlBuilder.FailingCounts(checks, "\"core\".\"t\"", PostgresDialect.Instance));
        var written = new IncrementalWrite(IncrementalStrategy.Replace, "event_date", DatePart.Day, "(date '2025-03-01')");
        Assert.EndsWith(" from \"core\".\"t\" where event_date in (date '2025-03-01')",
            CheckSqlBuilder.FailingCounts(checks, "\"core\".\"t\"", PostgresDialect.Instance, written));

        // Each check's own query of its failing rows (for the sample) has the same condition.
        Assert.Equal("select * from \"core\".\"t\" where not coalesce((amount >= 0), false)",
            CheckSqlBuilder.FailingRows(checks[2], "\"core\".\"t\"", PostgresDialect.Instance, k => k.Name));
        // A check that reads more than a row (unique) has no condition, and is not counted with the others.
        var unique = new CheckDefinition("t__unique", CheckKind.Unique, CheckSeverity.Error, ["id"], []);
        Assert.Null(CheckSqlBuilder.FailingCondition(unique));
        Assert.Throws<ArgumentException>(() => CheckSqlBuilder.FailingCounts([unique], "t", PostgresDialect.Instance));
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

    private static AssetDefinition Parse(string header) =>
        AssetFileParser.Parse("assets-sql/core/t.sql", "core", $"/*\n{header}\n*/\nselect 1 as x").Asset;

    [Fact]
    public void An_incremental_tables_first_index_carries_the_rest_of_the_key_its_unique_check_or_insert_new_names_after_the_partition()
    {
        var days = Parse("materialization: incremental\npartition_by: activity_date\nindexes: [[user_id, activity_date]]\n"
            + "checks:\n  - not_null: [user_id]\n  - unique: [tenant_id, user_id, activity_date]");
        Assert.Equal([["activity_date", "tenant_id", "user_id"], ["user_id", "activity_date"]], days.TableIndexes);
        // The same key identifies a row within its day, so a re-opened day is written by what differs.
        Assert.Equal(["activity_date", "tenant_id", "user_id"], days.PartitionKey);
        Assert.Equal(["activity_date", "tenant_id", "user_id"], IncrementalSql.Write(days.Incremental!, "(date '2025-03-01')", rowKey: days.PartitionKey).RowKey);

        var periods = Parse("materialization: incremental\npartition_by: period_start\nincremental_strategy: insert_new\n"
            + "unique_key: [tenant_id, grain, user_id]\nchecks:\n  - unique: [tenant_id, grain, user_id, period_start]");
        Assert.Equal([["period_start", "tenant_id", "grain", "user_id"]], periods.TableIndexes);
        Assert.Empty(periods.PartitionKey); // insert_new writes only unseen keys already.

        // A unique check without the partition column cannot be read from a partition-first index: the partition alone.
        var other = Parse("materialization: incremental\npartition_by: day\nchecks:\n  - unique: [tenant_id, user_id]");
        Assert.Equal([["day"]], other.TableIndexes);
        // A build by key: its key; a table that is not incremental: the header's indexes only.
        Assert.Equal([["user_id"]], Parse("materialization: incremental\nunique_key: user_id").TableIndexes);
        Assert.Equal([["a", "b"]], Parse("materialization: table\nindexes: [[a, b]]").TableIndexes);
    }

    [Fact]
    public void A_unique_check_groups_in_the_order_of_an_index_its_columns_lead_so_the_index_is_read_instead_of_the_table_sorted()
    {
        var unique = new CheckDefinition("t__unique", CheckKind.Unique, CheckSeverity.Error, ["tenant_id", "user_id", "activity_date"], []);
        var sql = CheckSqlBuilder.FailingRows(unique, "\"core\".\"t\"", PostgresDialect.Instance, k => k.Name,
            indexes: [["user_id", "activity_date"], ["activity_date", "tenant_id", "user_id", "events"]]);

        // The failing rows still list the check's columns in its order; the sort and the grouping follow the index.
        Assert.Equal("select tenant_id, user_id, activity_date, count(*) as copies from (select tenant_id, user_id, activity_date from \"core\".\"t\" "
            + "order by activity_date, tenant_id, user_id) as sorted group by activity_date, tenant_id, user_id having count(*) > 1", sql);
        // No index led by exactly these columns: the check's own order.
        Assert.Equal(["tenant_id", "user_id", "activity_date"],
            CheckSqlBuilder.InIndexOrder(unique.Columns, [["user_id", "activity_date"], ["activity_date", "tenant_id", "events", "user_id"]]));
    }

    [Fact]
    public void A_unique_check_in_the_order_of_a_partitioned_tables_first_index_may_walk_it_even_when_it_reads_the_whole_table()
    {
        var days = Parse("materialization: incremental\npartition_by: activity_date\nindexes: [[user_id, activity_date]]\n"
            + "checks:\n  - unique: [tenant_id, user_id, activity_date]\n  - unique: [activity_date, user_id]\n  - not_null: [user_id]");
        var (byPartition, bySecondIndex, notNull) = (days.Checks[0], days.Checks[1], days.Checks[2]);

        Assert.True(CheckSqlBuilder.ReadsWholeTable(byPartition, null));
        Assert.True(CheckSqlBuilder.WalksTableOrder(byPartition, days));
        // The header's index is not the order the table is written in: walking it would fetch rows at random.
        Assert.False(CheckSqlBuilder.WalksTableOrder(bySecondIndex, days));
        Assert.False(CheckSqlBuilder.WalksTableOrder(notNull, days));
        // A table that is not incremental is written in no particular order.
        var table = Parse("materialization: table\nindexes: [[a, b]]\nchecks:\n  - unique: [a, b]");
        Assert.False(CheckSqlBuilder.WalksTableOrder(table.Checks[0], table));
    }
}
