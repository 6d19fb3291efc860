using Analytics.Core.Ingest;
using Analytics.Orchestration;
using Analytics.Testing;
using Microsoft.Extensions.Configuration;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// Issue 25, finding 2: two accepted rows dated year 1 and year 9999 stretched growth_metrics from 178 rows to
/// 3.65 M. Ingest now accepts event times in a documented range and rejects the rest with that reason, so every
/// series the marts generate runs over the accepted events only, and every mart counts the same events.
/// </summary>
public class EventTimeRangeTests : IAsyncLifetime
{
    private const string Header = "event_time,user_id,event_type,transaction_category,miles_amount,platform,utm_source,country";
    private readonly DatabaseFixture _db = new();

    public Task InitializeAsync() => _db.InitializeAsync();

    public Task DisposeAsync() => _db.DisposeAsync();

    private AnalyticsSettings Settings() => new(_db.ConnectionString, null, null, TestFiles.RepositoryAssets);

    private static string Event(string time, string user) => $"{time},{user},share,,,ios,organic,SG";

    private static async Task<string> RunAsync(AnalyticsSettings settings, params string[] args)
    {
        var (exit, output, error) = await InProcessCli.RunAsync(settings, args);
        Assert.True(exit == 0, $"analytics {string.Join(' ', args)} exited {exit}:\n{output}{error}");
        return output;
    }

    [Fact]
    public async Task Rows_outside_the_range_are_rejected_with_it_and_the_marts_span_only_the_accepted_events()
    {
        var file = TestFiles.Csv(Header,
            Event("2025-03-03 10:00:00", "a"),
            Event("2025-03-05 10:00:00", "b"),
            Event("2025-04-01 10:00:00", "a"),
            Event("0001-01-01T00:00:00Z", "x"),
            Event("9999-12-31T23:59:59.9999999Z", "y"),
            // 1999-12-31T23:30Z once converted: the zone decides which side of the range it falls.
            Event("2000-01-01T00:30:00+01:00", "z"));

        var output = await RunAsync(Settings(), "ingest", file);

        Assert.Contains("read 6, loaded 3, rejected 3", output);
        Assert.Contains("event times accepted: 2000-01-01T00:00:00Z up to 2100-01-01T00:00:00Z", output);
        var reasons = (await _db.RowsAsync("select line_number, reason from raw.raw_events_rejected order by 1"))
            .Select(r => ((long)r[0]!, (string)r[1]!)).ToList();
        Assert.Equal([5L, 6L, 7L], reasons.Select(r => r.Item1));
        Assert.All(reasons, r => Assert.Contains("outside the accepted range, 2000-01-01T00:00:00Z up to 2100-01-01T00:00:00Z", r.Item2));
        Assert.All(reasons, r => Assert.Contains("Analytics__Ingest__EventTimeFrom", r.Item2));
        Assert.Contains("event_time 0001-01-01T00:00:00Z", reasons[0].Item2);
        Assert.Contains("event_time 9999-12-31T23:59:59.999999Z", reasons[1].Item2);

        await RunAsync(Settings(), "materialize", "*");

        // 2025-03-03 to 2025-04-01: 30 days, weeks of 03-03 to 03-31 (5), months 03 and 04.
        Assert.Equal(30L, await _db.ScalarAsync<long>("select count(*) from marts.growth_metrics"));
        Assert.Equal(new DateOnly(2025, 3, 3), await _db.ScalarAsync<DateOnly>("select min(date) from marts.growth_metrics"));
        Assert.Equal(5L, await _db.ScalarAsync<long>("select count(*) from marts.social_capital_growth_accounting where grain = 'week'"));
        // One weekly cohort (03-03, both users) with k = 0..4; one monthly cohort with k = 0..1.
        Assert.Equal(7L, await _db.ScalarAsync<long>("select count(*) from marts.retention_cohorts"));
        Assert.Equal(3L, await _db.ScalarAsync<long>("select count(*) from core.fct_events"));
        Assert.Equal(3L, await _db.ScalarAsync<long>("select sum(events)::bigint from marts.category_engagement"));
        Assert.Equal(3L, await _db.ScalarAsync<long>("select sum(total_events)::bigint from core.dim_users"));
    }

    [Fact]
    public async Task The_settings_widen_the_range_for_data_that_truly_is_older()
    {
        var settings = AnalyticsSettings.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:warehouse"] = _db.ConnectionString,
            ["ANALYTICS_ASSETS"] = TestFiles.RepositoryAssets,
            [EventTimeRange.FromSetting] = "1990-01-01",
        }).Build());
        Assert.Equal(new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc), settings.EventTimes.From);
        Assert.Equal(EventTimeRange.Default.Until, settings.EventTimes.Until);

        var output = await RunAsync(settings, "ingest", TestFiles.Csv(Header, Event("1995-06-01 10:00:00", "a"), Event("1989-12-31 23:59:59", "b")));

        Assert.Contains("loaded 1, rejected 1", output);
        Assert.Contains("1990-01-01T00:00:00Z up to 2100-01-01T00:00:00Z", await _db.ScalarAsync<string>("select reason from raw.raw_events_rejected"));
    }

    [Theory]
    [InlineData("next tuesday", null, "Analytics__Ingest__EventTimeFrom is 'next tuesday', which is not a date")]
    [InlineData(null, "2100-13-01", "Analytics__Ingest__EventTimeUntil is '2100-13-01'")]
    [InlineData("2030-01-01", "2020-01-01", "(2030-01-01T00:00:00Z) must be before Analytics__Ingest__EventTimeUntil (2020-01-01T00:00:00Z)")]
    public void A_malformed_setting_is_refused_naming_it_and_the_fix(string? from, string? until, string message)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [EventTimeRange.FromSetting] = from,
            [EventTimeRange.UntilSetting] = until,
        }).Build();

        var error = Assert.Throws<ArgumentException>(() => AnalyticsSettings.FromConfiguration(configuration));

        Assert.Contains(message, error.Message);
    }
}
