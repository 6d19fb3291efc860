using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// The membership marts on a hand-computed history, through the CLI and the shipped assets: four users whose tiers
/// change over three extractions (raw_users written as the extraction leaves it, each extraction a load), and a few
/// miles events before and after the changes, one of them late and one of a user the app never had.
/// </summary>
[Collection(InProcessCli.Collection)]
public sealed class MembershipMartsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private async Task RunAsync(params string[] args)
    {
        var (exit, output, error) = await InProcessCli.RunAsync(new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets), args);
        Assert.True(exit == 0, $"{string.Join(" ", args)}: {output}{error}");
    }

    private static string Event(string time, string user, string type, int miles) => $"{time},{user},{type},dining,{miles},web,organic,TH";

    private async Task SetUserAsync(string user, string tier, string updatedAt, string country = "TH") =>
        await db.ExecuteAsync($"""
            insert into raw.raw_users (load_id, line_number, user_id, tier, country, signed_up_at, updated_at)
            values (1, 1, '{user}', '{tier}', '{country}', timestamptz '2024-12-01 00:00:00+00', timestamptz '{updatedAt}+00')
            on conflict (user_id) do update set tier = excluded.tier, country = excluded.country, updated_at = excluded.updated_at
            """);

    [Fact]
    public async Task Transitions_and_miles_by_tier_follow_the_history_version_by_version()
    {
        await RunAsync("materialize", "raw_users");
        foreach (var (user, tier) in new[] { ("a", "basic"), ("b", "silver"), ("c", "gold"), ("d", "basic") })
        {
            await SetUserAsync(user, tier, "2024-12-01 00:00:00");
        }

        await RunAsync("ingest", TestFiles.Csv(TestFiles.Header, Event("2025-01-05 10:00:00", "a", "miles_earned", 100)));
        await RunAsync("materialize", "+membership_transitions", "+miles_by_tier");

        // Second extraction: a upgrades, b drops to basic (a churn), d jumps to platinum.
        await SetUserAsync("a", "gold", "2025-01-10 00:00:00");
        await SetUserAsync("b", "basic", "2025-01-15 00:00:00");
        await SetUserAsync("d", "platinum", "2025-01-20 00:00:00");
        await RunAsync("ingest", TestFiles.Csv(TestFiles.Header, Event("2025-01-12 09:00:00", "a", "miles_earned", 50),
            Event("2025-01-12 10:00:00", "a", "miles_redeemed", 30), Event("2025-01-12 11:00:00", "e", "miles_earned", 7)));
        await RunAsync("materialize", "+membership_transitions", "+miles_by_tier");

        // Third: a moves down to silver, d changes country only (no transition), c leaves the app (a hard delete).
        await SetUserAsync("a", "silver", "2025-02-05 00:00:00");
        await SetUserAsync("d", "platinum", "2025-02-01 00:00:00", country: "SG");
        await db.ExecuteAsync("delete from raw.raw_users where user_id = 'c'");
        await RunAsync("ingest", TestFiles.Csv(TestFiles.Header, Event("2025-02-10 10:00:00", "a", "miles_earned", 20),
            Event("2025-01-09 10:00:00", "a", "miles_earned", 5)));
        await RunAsync("materialize", "+membership_transitions", "+miles_by_tier");

        var left = await db.ScalarAsync<DateOnly>("select date_trunc('month', valid_from)::date from snapshots.snap_users where is_deleted");
        Assert.Equal(
        [
            "2025-01-01 default basic gold upgrade 1 1", "2025-01-01 default basic platinum upgrade 1 1", "2025-01-01 default silver basic churn 1 1",
            "2025-02-01 default gold silver downgrade 1 1", $"{left:yyyy-MM-dd} default gold deleted churn 1 1",
        ], (await db.RowsAsync("select month, tenant_id, from_tier, to_tier, transition, transitions, members from marts.membership_transitions order by month, from_tier, to_tier"))
            .Select(r => $"{r[0]:yyyy-MM-dd} {r[1]} {r[2]} {r[3]} {r[4]} {r[5]} {r[6]}"));

        Assert.Equal(
        [
            "2025-01-01 basic 105 0 1 0", "2025-01-01 gold 50 30 1 1", "2025-01-01 unknown 7 0 1 0", "2025-02-01 silver 20 0 1 0",
        ], (await db.RowsAsync("select month, membership_tier, miles_earned, miles_redeemed, earning_users, redeeming_users from marts.miles_by_tier order by month, membership_tier"))
            .Select(r => $"{r[0]:yyyy-MM-dd} {r[1]} {r[2]:0} {r[3]:0} {r[4]} {r[5]}"));
    }
}
