using System.Net;
using System.Text.Json;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>/api/schedules, /api/sensors and /api/alerts against a real run store, with a project that declares its own schedules and rules.</summary>
public sealed class AutomationApiTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly ApiHost _api;

    public AutomationApiTests(DatabaseFixture db)
    {
        var assets = TestFiles.Assets(new()
        {
            ["demo/tick_me.sql"] = "/*\nfreshness: {max_age: 1h}\n*/\nselect 1 as x",
            ["schedules.yml"] = """
                schedules:
                  - {name: hourly, cron: "0 * * * *", selection: "*"}
                  - {name: berlin_morning, cron: "0 7 * * *", timezone: Europe/Berlin, selection: tick_me, catch_up: none}
                """,
            ["alerts.yml"] = "alerts:\n  - {name: run_failed, kind: run_failed, description: A run failed}",
        });
        _api = new ApiHost(db.ConnectionString, assets, inProcessWorker: false);
    }

    public void Dispose() => _api.Dispose();

    private async Task<JsonElement> ScheduleAsync(string name) =>
        (await (await _api.Client().GetAsync("/api/schedules")).JsonAsync()).EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);

    [Fact]
    public async Task Schedules_list_their_declaration_and_next_tick()
    {
        var berlin = await ScheduleAsync("berlin_morning");

        Assert.Equal("0 7 * * *", berlin.GetProperty("cron").GetString());
        Assert.Equal("Europe/Berlin", berlin.GetProperty("timezone").GetString());
        Assert.Equal("none", berlin.GetProperty("catch_up").GetString());
        var next = berlin.GetProperty("next_tick_at").GetDateTimeOffset();
        Assert.True(next > DateTimeOffset.UtcNow && next < DateTimeOffset.UtcNow.AddDays(1));
        Assert.Equal(7, TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Hour);
    }

    [Fact]
    public async Task Pause_and_resume_need_the_key_and_persist()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.Client(withKey: false).PostAsync("/api/schedules/hourly/pause", null)).StatusCode);

        var paused = await (await _api.Client().PostAsync("/api/schedules/hourly/pause", null)).JsonAsync();
        Assert.True(paused.GetProperty("paused").GetBoolean());
        Assert.Equal(JsonValueKind.Null, paused.GetProperty("next_tick_at").ValueKind);
        Assert.True((await ScheduleAsync("hourly")).GetProperty("paused").GetBoolean());

        var resumed = await (await _api.Client().PostAsync("/api/schedules/hourly/resume", null)).JsonAsync();
        Assert.False(resumed.GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task A_tick_by_hand_queues_the_selection_and_shows_among_the_ticks()
    {
        var response = await _api.Client().PostAsync("/api/schedules/berlin_morning/tick", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await response.JsonAsync();
        Assert.Equal("tick_me", run.GetProperty("selection").GetString());
        Assert.Equal("schedule:berlin_morning", run.GetProperty("requested_by").GetString());
        var tick = (await ScheduleAsync("berlin_morning")).GetProperty("ticks")[0];
        Assert.Equal(run.GetProperty("run_id").GetString(), tick.GetProperty("run_id").GetString());
        Assert.Equal("queued", tick.GetProperty("status").GetString());
        Assert.StartsWith("ticked by hand", tick.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData("POST", "/api/schedules/hourlly/tick", HttpStatusCode.NotFound, "Did you mean")]
    [InlineData("POST", "/api/schedules/hourly/explode", HttpStatusCode.NotFound, "")]
    [InlineData("GET", "/api/alerts?status=closed", HttpStatusCode.BadRequest, "status=open")]
    [InlineData("GET", "/api/alerts?limit=0", HttpStatusCode.BadRequest, "from 1 to 500")]
    [InlineData("GET", "/api/alerts?limit=99999999999999999999", HttpStatusCode.BadRequest, "from 1 to 500")]
    public async Task Bad_requests_are_problems_that_say_the_fix(string method, string path, HttpStatusCode status, string hint)
    {
        var response = await _api.Client().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(hint, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Sensors_and_alerts_say_where_they_look_and_what_they_watch()
    {
        var sensor = (await (await _api.Client().GetAsync("/api/sensors")).JsonAsync())[0];
        Assert.Equal("landing", sensor.GetProperty("name").GetString());
        Assert.EndsWith("landing", sensor.GetProperty("location").GetString());

        var alerts = await (await _api.Client().GetAsync("/api/alerts?status=open")).JsonAsync();
        Assert.Equal("run_failed", alerts.GetProperty("rules")[0].GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.Array, alerts.GetProperty("incidents").ValueKind);
        Assert.Equal(0, alerts.GetProperty("channels").GetArrayLength());
    }

    [Fact]
    public async Task Assets_report_their_freshness()
    {
        var asset = await (await _api.Client().GetAsync("/api/assets/tick_me")).JsonAsync();

        var freshness = asset.GetProperty("freshness");
        Assert.Equal("never", freshness.GetProperty("state").GetString());
        Assert.Equal("1h", freshness.GetProperty("max_age").GetString());
    }
}
