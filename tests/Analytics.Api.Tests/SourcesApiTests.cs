using System.Net;
using Analytics.Cli;
using Analytics.Orchestration;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary><c>/api/sources</c>: the declared sources with their origin, columns and rules, and what their loads did.</summary>
public sealed class SourcesApiTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task The_sources_are_listed_as_declared_with_their_loads_and_extractions()
    {
        var settings = new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        var output = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["ingest", TestFiles.Csv(TestFiles.Header, "2025-01-01 09:00:00,u1,like,,,ios,google,SG", ",bad,like,,,,,")],
            output, output, settings));
        // raw_users has no appdb here: its materialization is recorded as skipped, with why.
        Assert.True(await CliApp.RunAsync(["materialize", "raw_users"], output, output, settings) == 0, output.ToString());
        using var api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false);

        var list = await (await api.Client().GetAsync("/api/sources")).JsonAsync();

        Assert.Equal(["raw_api_keys", "raw_audit_log", "raw_events", "raw_partner_channels", "raw_topups", "raw_users"],
            list.EnumerateArray().Select(s => s.GetProperty("key").GetString()));
        var events = list[2];
        Assert.Equal(("files", "landing", "csv"), (events.GetProperty("kind").GetString(), events.GetProperty("from").GetString(), events.GetProperty("format").GetString()));
        Assert.Equal((1L, 1L), (events.GetProperty("total_rows").GetInt64(), events.GetProperty("total_rejected").GetInt64()));
        var eventType = events.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "event_type");
        Assert.Equal("one of miles_earned, miles_redeemed, share, like, reward_search", eventType.GetProperty("rules")[0].GetString());
        var users = list[5];
        Assert.Equal(("database", "public.users", "updated_at", "30s"), (users.GetProperty("kind").GetString(), users.GetProperty("from").GetString(),
            users.GetProperty("watermark").GetString(), users.GetProperty("lag").GetString()));
        var skipped = users.GetProperty("extractions")[0];
        Assert.Equal("skipped", skipped.GetProperty("status").GetString());
        Assert.Contains("ConnectionStrings__appdb is not set", skipped.GetProperty("error").GetString());

        var one = await api.Client().GetAsync("/api/sources/raw_topups");
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(["topup_id"], (await one.JsonAsync()).GetProperty("primary_key").EnumerateArray().Select(k => k.GetString()));
        var unknown = await api.Client().GetAsync("/api/sources/stg_events");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("the sources are raw_api_keys, raw_audit_log, raw_events, raw_partner_channels, raw_topups, raw_users", await unknown.Content.ReadAsStringAsync());
        // The audit log is a source too: with no ConnectionStrings__runstore set, it is read from the run store in use.
        Assert.True(await CliApp.RunAsync(["materialize", "+security_access_by_endpoint"], output, output, settings) == 0, output.ToString());
        Assert.Equal("succeeded", await db.ScalarAsync<string>(
            "select status from runstore.steps where asset_key = 'raw_audit_log' order by started_at desc limit 1"));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from runstore.extractions where source = 'raw_audit_log' and status <> 'succeeded'"));
    }
}
