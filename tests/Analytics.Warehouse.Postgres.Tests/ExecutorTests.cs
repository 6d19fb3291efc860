using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Analytics.Testing;
using Analytics.Warehouse.Postgres;

namespace Analytics.Warehouse.Postgres.Tests;

public class ExecutorTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private readonly string _layer = "l_" + Guid.NewGuid().ToString("N")[..10];

    private Dictionary<string, string> Files(params (string Key, string Sql)[] assets) =>
        assets.ToDictionary(a => $"{_layer}/{a.Key}.sql", a => a.Sql);

    private async Task<RunResult> MaterializeAsync(Dictionary<string, string> files, string[]? keys = null, int parallelism = 2, bool record = false)
    {
        var project = AssetProject.Load(TestFiles.Assets(files));
        var observer = record ? new RunStoreRecorder(db.DataSource, RunKind.Materialize, "*", "test") : null;
        var executor = new AssetExecutor(project, new PostgresWarehouse(db.DataSource), new ExecutorOptions { Parallelism = parallelism }, observer);
        return await executor.MaterializeAsync(keys ?? project.Graph.TopologicalOrder.ToArray());
    }

    [Fact]
    public async Task A_build_that_fails_half_way_leaves_the_previous_table_intact()
    {
        var good = await MaterializeAsync(Files(("t", "select 1 as x, 'old' as version")));
        Assert.True(good.Succeeded);

        var bad = await MaterializeAsync(Files(("t", "select x, 'new' as version from generate_series(1, 50000) x union all select 1 / 0, 'boom'")));

        Assert.Equal(StepStatus.Failed, bad["t"].Status);
        Assert.Contains("division by zero", bad["t"].Error);
        Assert.Contains($"{_layer}/t.sql", bad["t"].Error);
        Assert.Equal("old", await db.ScalarAsync<string>($"select string_agg(version, ',') from {_layer}.t"));
        Assert.Equal(0L, await db.ScalarAsync<long>($"select count(*) from pg_tables where schemaname = '{_layer}' and tablename like '%building%'"));
    }

    [Fact]
    public async Task A_new_build_replaces_the_table_and_reports_rows_and_columns()
    {
        await MaterializeAsync(Files(("t", "select 1 as x")));
        var run = await MaterializeAsync(Files(("t", "select x::bigint as id, 'v' || x as label from generate_series(1, 10) x")));

        Assert.Equal(10L, run["t"].Rows);
        Assert.Equal([new ColumnInfo("id", "bigint"), new ColumnInfo("label", "text")], run["t"].Columns);
        Assert.Equal(64, run["t"].SqlHash!.Length);
        Assert.Equal(10L, await db.ScalarAsync<long>($"select count(*) from {_layer}.t"));
    }

    [Fact]
    public async Task An_assets_checks_run_at_once_up_to_the_parallelism_and_are_reported_in_their_declared_order()
    {
        // The first check passes only if it sees the second running beside it (polling for up to 5 s; the lookup tied
        // to each round and the activity snapshot cleared, as PostgreSQL otherwise reads it once); the second keeps
        // running for 2 s. One at a time, the first would look in vain and fail.
        const string seesTheOther = "(with recursive poll(n, seen) as (select 0, false union all select poll.n + 1, exists (select 1 from pg_stat_activity "
            + "where pid <> pg_backend_pid() and query like '%' || 'second' || '_check_marker%' and wait.n = poll.n) from poll cross join lateral (select poll.n, pg_sleep(0.05), pg_stat_clear_snapshot()) as wait(n) "
            + "where not poll.seen and poll.n < 100) select bool_or(seen) from poll)";
        // Query checks: checks that judge rows alone (expressions, not null) are counted together in one read.
        var run = await MaterializeAsync(Files(("t", $$"""
            /*
            checks:
              - query: {name: sees_the_other, sql: "select 1 where not {{seesTheOther}}"}
              - query: {name: second_check, sql: "select 1 where 'second_check_marker' is null or pg_sleep(2) is null"}
              - not_null: x
            */
            select 1 as x
            """)));

        Assert.True(run.Succeeded, run["t"].Error);
        Assert.Equal(["sees_the_other", "second_check", "t__not_null__x"], run["t"].Checks.Select(c => c.Name));
    }

    [Fact]
    public async Task A_failing_error_check_blocks_downstream_but_a_warn_check_does_not()
    {
        var run = await MaterializeAsync(Files(
            ("strict", "/*\nchecks:\n  - not_null: x\n*/\nselect null::int as x"),
            ("after_strict", "select * from {{ ref('strict') }}"),
            ("lenient", "/*\nchecks:\n  - not_null: {column: x, severity: warn}\n*/\nselect null::int as x"),
            ("after_lenient", "select * from {{ ref('lenient') }}")));

        Assert.False(run.Succeeded);
        Assert.Equal(StepStatus.CheckFailed, run["strict"].Status);
        Assert.Equal(StepStatus.Skipped, run["after_strict"].Status);
        Assert.Contains("upstream 'strict' failed a blocking check", run["after_strict"].Error);
        Assert.Equal(StepStatus.Succeeded, run["lenient"].Status);
        Assert.False(run["lenient"].Checks.Single().Passed);
        Assert.Equal(StepStatus.Succeeded, run["after_lenient"].Status);
    }

    [Fact]
    public async Task A_failed_asset_skips_its_downstream_and_the_rest_of_the_run_continues()
    {
        var run = await MaterializeAsync(Files(
            ("broken", "select * from no_such_table"),
            ("child", "select * from {{ ref('broken') }}"),
            ("grandchild", "select * from {{ ref('child') }}"),
            ("independent", "select 1 as ok")));

        Assert.Equal(StepStatus.Failed, run["broken"].Status);
        Assert.Equal(StepStatus.Skipped, run["child"].Status);
        Assert.Equal(StepStatus.Skipped, run["grandchild"].Status);
        Assert.Equal(StepStatus.Succeeded, run["independent"].Status);
    }

    [Fact]
    public async Task A_unique_check_on_several_columns_counts_each_repeated_combination_once_with_its_copies()
    {
        var run = await MaterializeAsync(Files(
            ("pairs", """
                /*
                checks:
                  - unique: [a, b]
                */
                select * from (values (1, 1), (1, 2), (1, 2), (2, 1), (2, 1), (2, 1), (2, null), (2, null)) as v(a, b)
                """)));

        var check = run["pairs"].Checks.Single();
        Assert.Equal(3, check.FailingRows);
        Assert.Contains(check.Sample, row => row.Contains("a=2") && row.Contains("b=1") && row.Contains("copies=3"));
        Assert.Contains(check.Sample, row => row.Contains("a=1") && row.Contains("b=2") && row.Contains("copies=2"));
    }

    [Fact]
    public async Task Each_check_kind_counts_the_rows_that_break_it_and_shows_some()
    {
        var run = await MaterializeAsync(Files(
            ("parent", "select 1 as id union all select 2"),
            ("checked", """
                /*
                checks:
                  - not_null: [id, kind]
                  - unique: id
                  - accepted_values: {column: kind, values: [a, b]}
                  - relationships: {column: parent_id, to: parent, field: id}
                  - expression: {sql: "amount >= 0", name: amount_positive}
                  - row_count: {min: 10}
                  - row_count: {max: 100, name: not_too_many}
                */
                select * from (values
                    (1, 'a', 1, 5), (1, 'b', 2, -1), (2, null, 3, 0), (3, 'z', 9, null), (4, 'z', null, 1)
                ) as v(id, kind, parent_id, amount)
                """)));

        var checks = run["checked"].Checks.ToDictionary(c => c.Name);
        Assert.Equal(1, checks["checked__not_null__id_kind"].FailingRows);
        Assert.Equal(1, checks["checked__unique__id"].FailingRows);
        Assert.Contains("id=1", checks["checked__unique__id"].Sample.Single());
        Assert.Equal(2, checks["checked__accepted_values__kind"].FailingRows);
        Assert.Equal(2, checks["checked__relationships__parent_id"].FailingRows);
        Assert.Equal(2, checks["amount_positive"].FailingRows);
        Assert.Equal(1, checks["checked__row_count__rows"].FailingRows);
        Assert.True(checks["not_too_many"].Passed);
        Assert.Equal(StepStatus.CheckFailed, run["checked"].Status);
    }

    [Fact]
    public async Task Checks_that_judge_each_row_alone_are_counted_in_one_read_and_only_a_failing_one_is_read_again_for_its_sample()
    {
        var calls = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var warehouse = CallRecorder.Wrap(new PostgresWarehouse(db.DataSource), calls);
        var project = AssetProject.Load(TestFiles.Assets(Files(("t", """
            /*
            checks:
              - not_null: [id, kind]
              - accepted_values: {column: kind, values: [a, b]}
              - expression: {sql: "amount >= 0", name: amount_positive}
              - expression: {sql: "amount < 100", name: amount_small}
              - unique: id
            */
            select * from (values (1, 'a', 5), (2, 'b', -1), (3, 'a', 0), (4, 'b', -7)) as v(id, kind, amount)
            """))));
        var run = await new AssetExecutor(project, warehouse, new ExecutorOptions()).MaterializeAsync(["t"]);

        // Four row checks, one read; amount_positive failed, so it alone is read again for its rows; unique reads alone.
        Assert.Equal(1, calls.Count(c => c == nameof(IWarehouseChecks.QueryCountsAsync)));
        Assert.Equal(2, calls.Count(c => c == nameof(IWarehouseChecks.QueryFailuresAsync)));
        var checks = run["t"].Checks;
        Assert.Equal(["t__not_null__id_kind", "t__accepted_values__kind", "amount_positive", "amount_small", "t__unique__id"], checks.Select(c => c.Name));
        Assert.Equal([true, true, false, true, true], checks.Select(c => c.Passed));
        Assert.Equal(2, checks[2].FailingRows);
        Assert.Contains(checks[2].Sample, row => row.Contains("amount=-7"));
    }

    /// <summary>A warehouse that records which of its methods were called, and calls the real one.</summary>
    public class CallRecorder : System.Reflection.DispatchProxy
    {
        private IWarehouse _inner = null!;
        private System.Collections.Concurrent.ConcurrentQueue<string> _calls = null!;

        public static IWarehouse Wrap(IWarehouse inner, System.Collections.Concurrent.ConcurrentQueue<string> calls)
        {
            var proxy = Create<IWarehouse, CallRecorder>();
            ((CallRecorder)(object)proxy)._inner = inner;
            ((CallRecorder)(object)proxy)._calls = calls;
            return proxy;
        }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            _calls.Enqueue(targetMethod!.Name);
            return targetMethod.Invoke(_inner, args);
        }
    }

    [Fact]
    public async Task Independent_assets_run_in_parallel_up_to_the_configured_degree()
    {
        var files = Files(
            ("slow_a", "select pg_sleep(0.4)::text as slept"),
            ("slow_b", "select pg_sleep(0.4)::text as slept"),
            ("slow_c", "select pg_sleep(0.4)::text as slept"));

        var parallel = await MaterializeAsync(files, parallelism: 3, record: true);
        var serial = await MaterializeAsync(files, parallelism: 1, record: true);

        Assert.Equal(3, await OverlapsAsync(parallel.RunId));
        Assert.Equal(0, await OverlapsAsync(serial.RunId));
    }

    /// <summary>How many pairs of steps of the run overlapped in time, from the run store's step timings.</summary>
    private Task<long> OverlapsAsync(Guid runId) => db.ScalarAsync<long>($"""
        select count(*) from runstore.steps a join runstore.steps b
          on a.run_id = b.run_id and a.asset_key < b.asset_key
         and a.started_at < b.finished_at and b.started_at < a.finished_at
        where a.run_id = '{runId}'
        """);

    [Fact]
    public async Task An_incremental_asset_appends_only_new_rows_after_its_first_build()
    {
        await db.ExecuteAsync($"create schema if not exists {_layer}; create table {_layer}.src_table as select x as id from generate_series(1, 3) x");
        var files = Files(("inc", $"/*\nmaterialization: incremental\n*/\nselect id from {_layer}.src_table\n"
            + "{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}"));

        var first = await MaterializeAsync(files);
        await db.ExecuteAsync($"insert into {_layer}.src_table values (4), (5)");
        var second = await MaterializeAsync(files);

        Assert.Equal(3L, first["inc"].Rows);
        Assert.Equal(2L, second["inc"].Rows);
        Assert.Equal(5L, await db.ScalarAsync<long>($"select count(distinct id) from {_layer}.inc"));
        Assert.Equal(5L, await db.ScalarAsync<long>($"select count(*) from {_layer}.inc"));
    }

    [Fact]
    public async Task A_view_asset_is_created_as_a_view_and_can_replace_a_table()
    {
        await MaterializeAsync(Files(("v", "select 1 as x")));
        var run = await MaterializeAsync(Files(("v", "/*\nmaterialization: view\n*/\nselect 2 as x, 3 as y")));

        Assert.True(run.Succeeded);
        Assert.Null(run["v"].Rows);
        Assert.Equal("v", await db.ScalarAsync<string>($"select relkind::text from pg_class where oid = '{_layer}.v'::regclass"));
        Assert.Equal(3, await db.ScalarAsync<int>($"select y from {_layer}.v"));
    }

    [Fact]
    public async Task A_free_slot_goes_to_the_ready_step_with_the_longest_chain_below_it()
    {
        // One slot. In plan order the two lone tables would run before the chain's head; the head has two steps
        // waiting on it, so it goes first, then its next step (one waiting); then, nothing waiting on any, plan order.
        var run = await MaterializeAsync(Files(
            ("a_alone", "select 1 as x"),
            ("b_alone", "select 1 as x"),
            ("c_head", "select 1 as x"),
            ("d_next", "select * from {{ ref('c_head') }}"),
            ("e_last", "select * from {{ ref('d_next') }}")), parallelism: 1, record: true);

        var started = await db.RowsAsync($"select asset_key from runstore.steps where run_id = '{run.RunId}' order by started_at");
        Assert.Equal(["c_head", "d_next", "a_alone", "b_alone", "e_last"], started.Select(r => (string)r[0]!));
    }

    [Fact]
    public async Task A_step_whose_check_reads_another_asset_builds_beside_it_and_gives_its_slot_back_until_that_asset_is_built()
    {
        // Two slots. child's SQL reads nothing; its relationships check reads parent, built from a slow source. child
        // builds at once beside slow_source, then gives its slot to other while parent is built, then checks (a check
        // before parent is built would find no table). Had child waited to build, it would start after parent; had it
        // held its slot, other would start only once slow_source finished.
        var run = await MaterializeAsync(Files(
            ("slow_source", "select x as id from generate_series(1, 3) x, (select pg_sleep(0.8)) as slept"),
            ("parent", "select id from {{ ref('slow_source') }}"),
            ("child", "/*\nchecks:\n  - relationships: {column: id, to: parent, field: id}\n*/\nselect x as id from generate_series(1, 3) x"),
            ("grandchild", "select * from {{ ref('child') }}"),
            ("other", "select pg_sleep(0.2)::text as slept")), parallelism: 2, record: true);

        Assert.True(run.Succeeded, string.Join("; ", run.Steps.Select(s => s.Error)));
        Assert.True(run["child"].Checks.Single().Passed);
        var at = (await db.RowsAsync($"select asset_key, started_at, finished_at from runstore.steps where run_id = '{run.RunId}'"))
            .ToDictionary(r => (string)r[0]!, r => (Started: (DateTime)r[1]!, Finished: (DateTime)r[2]!));
        Assert.True(at["child"].Started < at["slow_source"].Finished, "child's build waited for parent");
        Assert.True(at["other"].Started < at["slow_source"].Finished, "child held its slot while it waited");
        Assert.True(at["child"].Finished >= at["parent"].Finished, "child's check ran before parent was built");
        Assert.True(at["grandchild"].Started >= at["child"].Finished);
    }

    [Fact]
    public async Task When_an_asset_a_check_reads_fails_the_check_does_not_run_and_blocks_but_the_build_stands()
    {
        var run = await MaterializeAsync(Files(
            ("parent", "select 1 / 0 as id"),
            ("child", "/*\nchecks:\n  - not_null: id\n  - relationships: {column: id, to: parent, field: id}\n*/\nselect 7 as id"),
            ("after_child", "select * from {{ ref('child') }}")));

        Assert.Equal(StepStatus.Failed, run["parent"].Status);
        Assert.Equal(StepStatus.CheckFailed, run["child"].Status);
        Assert.True(run["child"].Checks[0].Passed);
        Assert.False(run["child"].Checks[1].Passed);
        Assert.Contains("not run: 'parent', which it reads, failed in this run", run["child"].Error);
        Assert.Equal(7, await db.ScalarAsync<int>($"select id from {_layer}.child"));
        Assert.Equal(StepStatus.Skipped, run["after_child"].Status);
    }

    [Fact]
    public async Task A_run_is_recorded_in_the_run_store()
    {
        var run = await MaterializeAsync(Files(
            ("recorded", "/*\nchecks:\n  - unique: x\n*/\nselect 1 as x"),
            ("failing", "select 1/0 as x")), record: true);

        Assert.Equal("failed", await db.ScalarAsync<string>($"select status from runstore.runs where run_id = '{run.RunId}'"));
        Assert.Equal("succeeded", await db.ScalarAsync<string>($"select status from runstore.steps where run_id = '{run.RunId}' and asset_key = 'recorded'"));
        Assert.Contains("division by zero", await db.ScalarAsync<string>($"select error from runstore.steps where run_id = '{run.RunId}' and asset_key = 'failing'"));
        Assert.Equal(1L, await db.ScalarAsync<long>($"select rows from runstore.materializations where run_id = '{run.RunId}' and asset_key = 'recorded'"));
        Assert.True(await db.ScalarAsync<bool>($"select passed from runstore.check_executions where run_id = '{run.RunId}'"));
        var kinds = await db.RowsAsync($"select kind from runstore.events where run_id = '{run.RunId}' order by event_id");
        Assert.Equal("run_started", kinds[0][0]);
        Assert.Equal("run_finished", kinds[^1][0]);
        Assert.Contains(kinds, k => (string)k[0]! == "check_result");
        Assert.Contains(kinds, k => (string)k[0]! == "materialization");
        var statuses = await new RunStoreQueries(db.DataSource).AssetStatusesAsync();
        Assert.Equal(1, statuses["recorded"].ChecksPassed);
    }
}
