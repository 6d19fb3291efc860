using Analytics.Cli;
using Analytics.Core.Ingest;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// Tenants through the pipeline, worked out by hand: the same user id in two tenants is two users; every mart keeps
/// the tenant as a key, each tenant's series runs over its own days, and all tenants together are the sum. A file
/// without the column loads its rows under 'default' with the event ids it had before tenants; a malformed tenant is
/// rejected with its reason.
/// </summary>
public class TenantMartsTests(TenantMartsTests.Pipeline pipeline) : IClassFixture<TenantMartsTests.Pipeline>
{
    private const string Header = TestFiles.Header + ",tenant_id";

    public sealed class Pipeline : MaterializedPipeline
    {
        protected override IEnumerable<string[]> Files =>
        [
            [
                Header,
                // u1 of acme: days 1 and 2 (retained on day 2), earns 10 then redeems 30 (dips to -20).
                "2025-01-01 09:00:00,u1,miles_earned,dining,10,ios,google,SG,acme",
                "2025-01-02 09:00:00,u1,miles_redeemed,travel,30,ios,google,SG,acme",
                // u1 of globex, another user: day 2 only, and its first touch is android.
                "2025-01-02 10:00:00,u1,like,,,android,organic,TH,globex",
                // u2 of globex: day 3.
                "2025-01-03 10:00:00,u2,share,,,web,organic,TH,globex",
                "2025-01-03 11:00:00,u3,like,,,web,organic,TH,not a tenant!",
            ],
            // A file without the column: its rows are of no tenant, shown as 'default'.
            [TestFiles.Header, "2025-01-05 09:00:00,u9,like,,,ios,google,SG"],
        ];
    }

    private DatabaseFixture Db => pipeline.Db;

    private async Task<List<string>> Rows(string sql) =>
        (await Db.RowsAsync(sql)).Select(r => string.Join(" ", r.Select(v => v switch
        {
            DateTime t => t.ToString("yyyy-MM-dd"),
            DateOnly d => d.ToString("yyyy-MM-dd"),
            decimal m => (m / 1.0000m).ToString("0.####", System.Globalization.CultureInfo.InvariantCulture),
            null => "null",
            _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
        }))).ToList();

    [Fact]
    public void Every_asset_builds_and_every_check_passes_with_tenants()
    {
        Assert.True(pipeline.Exit == 0, pipeline.Output);
    }

    [Fact]
    public async Task A_malformed_tenant_is_rejected_with_its_reason_and_a_file_without_tenants_keeps_its_event_ids()
    {
        Assert.Equal(["tenant_id 'not a tenant!' is not 1 to 64 letters, digits, '.', '_', '-' or '@'"],
            await Rows("select reason from raw.raw_events_rejected"));
        Assert.Equal(["u9 null default"], await Rows(
            "select r.user_id, r.tenant_id, s.tenant_id from raw.raw_events r join staging.stg_events s using (event_id) where r.user_id = 'u9'"));
        // The id this event had before tenants existed (and before raw_events was declared as data), pinned.
        Assert.Equal(Guid.Parse("00c4cdb6-948e-f19b-afbf-f8396e6b92ea"), await Db.ScalarAsync<Guid>("select event_id from core.fct_events where user_id = 'u9'"));
    }

    [Fact]
    public async Task The_same_user_id_in_two_tenants_is_two_users()
    {
        Assert.Equal(
            [
                "acme u1 2 -20 ios",
                "default u9 1 0 ios",
                "globex u1 1 0 android",
                "globex u2 1 0 web",
            ],
            await Rows("select tenant_id, user_id, total_events, miles_balance, first_platform from core.dim_users order by tenant_id, user_id"));
        Assert.Equal(["acme u1 -20 -20"],
            await Rows("select tenant_id, user_id, min_balance, final_balance from marts.users_with_negative_miles"));
    }

    [Fact]
    public async Task Each_tenant_has_its_own_series_and_all_tenants_are_the_sum()
    {
        // date dau wau mau new retained resurrected churned, per tenant over its own first to last day.
        Assert.Equal(
            [
                "acme 2025-01-01 1 1 1 1 0 0 0",
                "acme 2025-01-02 1 1 1 0 1 0 0",
                "default 2025-01-05 1 1 1 1 0 0 0",
                "globex 2025-01-02 1 1 1 1 0 0 0",
                "globex 2025-01-03 1 2 2 1 0 0 1",
            ],
            await Rows("select tenant_id, date, dau, wau, mau, new_users, retained_users, resurrected_users, churned_users "
                       + "from marts.growth_metrics order by tenant_id, date"));
        // All tenants: day 2 has acme's u1 and globex's u1, two users under one id.
        Assert.Equal(["2025-01-02 2"], await Rows("select date, sum(dau) from marts.growth_metrics where date = '2025-01-02' group by date"));
        Assert.Equal(["acme 1", "default 1", "globex 2"],
            await Rows("select tenant_id, sum(new_users) from marts.social_capital_growth_accounting where grain = 'month' group by tenant_id order by tenant_id"));
        Assert.Equal(["acme 2025-01-01 0 1 1", "acme 2025-01-02 0 1 1", "globex 2025-01-02 0 1 1", "globex 2025-01-03 0 1 1"],
            await Rows("select tenant_id, date, 0, sum(active_users), count(*) from marts.growth_drivers where tenant_id <> 'default' group by tenant_id, date order by 1, 2"));
    }

    /// <summary>What the read role sees of a relation with the tenant setting as given (null: not set at all).</summary>
    private async Task<(long Rows, long OtherTenants)> AsReaderAsync(string relation, string? tenant)
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        if (tenant is not null)
        {
            await using var setting = new Npgsql.NpgsqlCommand("select set_config('analytics.tenant', $1, true)", connection) { Parameters = { new() { Value = tenant } } };
            await setting.ExecuteNonQueryAsync();
        }

        await using (var role = new Npgsql.NpgsqlCommand("set local role analytics_reader", connection))
        {
            await role.ExecuteNonQueryAsync();
        }

        await using var count = new Npgsql.NpgsqlCommand(
            $"select count(*), count(*) filter (where coalesce(tenant_id, 'default') <> coalesce($1, '')) from {relation}", connection)
        {
            Parameters = { new() { Value = (object?)tenant ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text } },
        };
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    [Theory]
    [InlineData("raw.raw_events")]
    [InlineData("staging.stg_events")]
    [InlineData("core.fct_events")]
    [InlineData("core.dim_users")]
    [InlineData("marts.growth_metrics")]
    [InlineData("marts.users_with_negative_miles")]
    [InlineData("marts.retention_cohorts")]
    public async Task The_read_role_sees_only_the_tenant_its_setting_names_and_nothing_without_one(string relation)
    {
        var owner = await Db.ScalarAsync<long>($"select count(*) from {relation}");
        var acme = await Db.ScalarAsync<long>($"select count(*) from {relation} where coalesce(tenant_id, 'default') = 'acme'");
        Assert.True(acme > 0 && (owner > acme || relation.EndsWith("negative_miles")), $"{relation}: {acme} of {owner} rows are acme's");

        Assert.Equal((acme, 0L), await AsReaderAsync(relation, "acme"));
        // A wrong setting, an empty one, or none at all: nothing, not everything.
        Assert.Equal((0L, 0L), await AsReaderAsync(relation, "initech"));
        Assert.Equal((0L, 0L), await AsReaderAsync(relation, ""));
        Assert.Equal((0L, 0L), await AsReaderAsync(relation, null));
        Assert.Equal(owner, (await AsReaderAsync(relation, "*")).Rows);
    }

    [Fact]
    public async Task A_table_the_read_role_was_never_granted_is_granted_at_its_first_read_and_stays_granted()
    {
        // As a table built before the policies existed: no grant, no policy.
        await Db.ExecuteAsync("create table marts.legacy as select 'acme' as tenant_id, 1 as n union all select 'globex', 2");
        var legacy = new Core.Assets.AssetDefinition(new Core.Assets.AssetKey("legacy"), "marts", Core.Assets.Materialization.Table, "", [], null, [],
            "select 1", "legacy.sql", 1, []);
        var warehouse = new PostgresWarehouse(Db.DataSource);

        var preview = await warehouse.PreviewAsync(legacy, 10, new Core.Access.ReadScope(new HashSet<string>(), [], "acme"), default);

        Assert.Equal(["acme"], preview!.Rows.Select(r => (string)r[0]!));
        Assert.True(await Db.ScalarAsync<bool>("select has_table_privilege('analytics_reader', 'marts.legacy', 'select')"));
        Assert.Equal((1L, 0L), await AsReaderAsync("marts.legacy", "acme"));
    }
}
