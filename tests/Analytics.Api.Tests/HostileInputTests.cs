using System.Net;
using System.Text;
using Analytics.Testing;
using CsCheck;

namespace Analytics.Api.Tests;

/// <summary>The findings of the hostile-input review (issue 9): each answer is a 4xx problem that says what to fix, never a 5xx.</summary>
public sealed class HostileInputTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly ApiHost _api;

    public HostileInputTests(DatabaseFixture db) => _api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false);

    public void Dispose() => _api.Dispose();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<string> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return body;
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "web", null, null, 415)] // the finding: a cross-site form post with the cookie
    [InlineData("multipart/form-data; boundary=x", "web", null, null, 415)]
    [InlineData("text/plain", "web", null, null, 415)]
    [InlineData(null, null, null, null, 403)] // no page header: a form (or a bare fetch) elsewhere
    [InlineData(null, "web", "http://127.0.0.1:9999", null, 403)]
    [InlineData(null, "web", null, "cross-site", 403)]
    [InlineData(null, "web", null, "same-site", 403)]
    [InlineData(null, "web", null, "same-origin", 200)]
    [InlineData(null, "web", "SELF", "same-origin", 200)]
    public async Task A_cookie_signed_write_must_come_from_our_own_pages(string? contentType, string? pageHeader, string? origin, string? fetchSite, int expected)
    {
        var client = _api.Client(withKey: false);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/schedules/daily_report/pause");
        request.Headers.Add("Cookie", $"analytics_session={Analytics.Api.Extensions.ApiKeyFilter.SessionValue(ApiHost.ApiKey)}");
        if (contentType is not null)
        {
            request.Content = new StringContent("selection=x", Encoding.UTF8);
            request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        }

        if (pageHeader is not null)
        {
            request.Headers.Add("X-Analytics-Request", pageHeader);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin == "SELF" ? client.BaseAddress!.GetLeftPart(UriPartial.Authority) : origin);
        }

        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
        var paused = (await client.GetStringAsync("/api/schedules")).Contains("\"paused\":true");
        Assert.Equal(expected == 200, paused);
        if (paused)
        {
            var resume = _api.Client();
            Assert.Equal(HttpStatusCode.OK, (await resume.PostAsync("/api/schedules/daily_report/resume", null)).StatusCode);
        }
    }

    [Fact]
    public async Task A_30000_character_user_agent_is_kept_and_echoed_as_at_most_200_characters()
    {
        var client = _api.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", new string('u', 30_000));

        var queued = await client.PostAsync("/api/runs", Json("""{"selection": "raw_events"}"""));
        var runs = await client.GetStringAsync("/api/runs?page_size=5");

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        Assert.Contains("\"requested_by\":\"api (" + new string('u', 200) + "...)\"", runs);
        Assert.DoesNotContain(new string('u', 201), runs);
    }

    [Theory]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "web", "web UI (Chrome 131)")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36", "web", "web UI (Chrome 131)")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", "web", "web UI (Firefox 133)")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", null, "api (Safari 18)")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86", "web", "web UI (Edge 131)")]
    [InlineData("curl/8.5.0", null, "api (curl/8.5.0)")]
    [InlineData("python-requests/2.32.3 CPython/3.12", null, "api (python-requests/2.32.3)")]
    public async Task A_run_says_who_asked_by_a_short_client_name_not_the_whole_user_agent(string agent, string? page, string requestedBy)
    {
        // Issue 26, item 6: a run requested from the web UI showed the browser's whole User-Agent as "requested by".
        var client = _api.Client();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", agent);
        if (page is not null)
        {
            client.DefaultRequestHeaders.Add("X-Analytics-Request", page);
        }

        var queued = await client.PostAsync("/api/runs", Json("""{"selection": "raw_events"}"""));

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        using var run = System.Text.Json.JsonDocument.Parse(await queued.Content.ReadAsStringAsync());
        Assert.Equal(requestedBy, run.RootElement.GetProperty("requested_by").GetString());
    }

    [Fact]
    public async Task An_upload_the_client_abandons_is_logged_once_at_debug_not_as_an_unhandled_exception()
    {
        var address = _api.Client().BaseAddress!;
        using (var socket = new System.Net.Sockets.TcpClient())
        {
            await socket.ConnectAsync(address.Host, address.Port);
            var stream = socket.GetStream();
            var head = $"POST /api/runs HTTP/1.1\r\nHost: {address.Authority}\r\nX-Api-Key: {ApiHost.ApiKey}\r\n"
                       + "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{\"selection\": \"";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.FlushAsync();
            await Task.Delay(200);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!_api.Logs.Any(Abandoned) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var logs = _api.Logs.ToList();
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, Assert.Single(logs, Abandoned).Level);
        Assert.DoesNotContain(logs, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);

        // Said by the framework's exception handler when it sees the abort itself, or by ours when it sees what the abort broke.
        static bool Abandoned((Microsoft.Extensions.Logging.LogLevel Level, string Category, string Message) log) =>
            log.Message.Contains("aborted by the client") || log.Message.Contains("POST /api/runs: the client went away");
    }

    [Fact]
    public async Task A_union_of_200000_names_is_refused_not_a_stack_overflow()
    {
        var selection = string.Join(' ', Enumerable.Repeat("growth_metrics", 200_000));
        var response = await _api.Client().PostAsync("/api/runs", Json($$"""{"selection": "{{selection}}"}"""));

        var body = await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.True(body.Length < 2_000, $"a {body.Length}-character answer to a large request");
        // Under the body limit, over the selection's: refused by the parser, and the answer stays small.
        var longer = string.Join(' ', Enumerable.Repeat("growth_metrics", 4_000));
        var refused = await ProblemAsync(await _api.Client().PostAsync("/api/runs", Json($$"""{"selection": "{{longer}}"}""")), HttpStatusCode.BadRequest);
        Assert.Contains("at most 4,096", refused);
        Assert.True(refused.Length < 2_000, $"a {refused.Length}-character answer");
    }

    [Theory]
    [InlineData("stg_events+2147483648")]
    [InlineData("2147483648+stg_events")]
    [InlineData("stg_events+99999999999999999999")]
    [InlineData("stg_events+0")]
    public async Task An_out_of_range_depth_is_400_naming_the_range(string selection)
    {
        var graph = await ProblemAsync(await _api.Client(withKey: false).GetAsync("/api/graph?select=" + Uri.EscapeDataString(selection)), HttpStatusCode.BadRequest);
        var post = await ProblemAsync(await _api.Client().PostAsync("/api/runs", Json($$"""{"selection": "{{selection}}"}""")), HttpStatusCode.BadRequest);
        Assert.Contains("between 1 and 1000", graph);
        Assert.Contains("between 1 and 1000", post);
    }

    [Fact]
    public async Task Deep_nesting_is_400_at_the_same_limit_as_the_cli()
    {
        var nested = new string('(', 100) + "stg_events" + new string(')', 100);
        var response = await _api.Client(withKey: false).GetAsync("/api/graph?select=" + Uri.EscapeDataString(nested));
        Assert.Contains("nested more than 32 deep", await ProblemAsync(response, HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("/api/assets/stg_events/preview?limit=abc")]
    [InlineData("/api/assets/stg_events/preview?limit=99999999999")]
    [InlineData("/api/assets/stg_events/preview?limit=1&limit=2")]
    public async Task A_parameter_the_framework_cannot_bind_is_a_400_problem_not_a_500(string url)
    {
        var body = await ProblemAsync(await _api.Client(withKey: false).GetAsync(url), HttpStatusCode.BadRequest);
        Assert.Contains("limit", body);
    }

    [Theory]
    [InlineData("page=42949674")]
    [InlineData("page=0")]
    [InlineData("page=-1")]
    [InlineData("page=abc")]
    [InlineData("page_size=100000")]
    [InlineData("page_size=9999999999999")]
    public async Task Paging_out_of_range_is_400(string query)
    {
        var body = await ProblemAsync(await _api.Client(withKey: false).GetAsync("/api/runs?" + query), HttpStatusCode.BadRequest);
        Assert.Contains("is not a whole number from 1 to", body);
    }

    [Fact]
    public async Task Page_size_is_spelled_as_the_json_is()
    {
        var response = await _api.Client(withKey: false).GetAsync("/api/runs?page_size=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, (await response.JsonAsync()).GetProperty("page_size").GetInt32());
    }

    [Theory]
    [InlineData("""{"selection": "*" """, "line 1")]
    [InlineData("{}", "has no selection")]
    [InlineData("null", "JSON null")]
    [InlineData("""{"selecton": "*"}""", "selecton")]
    [InlineData("""{"selection": 5}""", "selection")]
    [InlineData("[1, 2]", "not the JSON")]
    public async Task A_malformed_or_empty_body_is_400_saying_what_is_wrong(string body, string expected)
    {
        var problem = await ProblemAsync(await _api.Client().PostAsync("/api/runs", Json(body)), HttpStatusCode.BadRequest);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_415()
    {
        var response = await _api.Client().PostAsync("/api/runs", new StringContent("selection=*", Encoding.UTF8, "text/plain"));
        Assert.Contains("application/json", await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType));
    }

    [Fact]
    public async Task An_unknown_asset_name_is_not_echoed_in_full()
    {
        var name = new string('x', 5_000);
        var body = await ProblemAsync(await _api.Client(withKey: false).GetAsync("/api/assets/" + name), HttpStatusCode.NotFound);
        Assert.True(body.Length < 1_500, $"a {body.Length}-character answer");
        Assert.Contains("trace_id", body);
    }

    [Fact]
    public async Task Cancel_of_a_queued_run_says_it_took_effect_with_200()
    {
        // No worker runs in this host: the run stays queued, so the cancel is final at once.
        var queued = await (await _api.Client().PostAsync("/api/runs", Json("""{"selection": "stg_events"}"""))).JsonAsync();
        var runId = queued.GetProperty("run_id").GetString();

        var cancel = await _api.Client().PostAsync($"/api/runs/{runId}/cancel", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("canceled", (await cancel.JsonAsync()).GetProperty("status").GetString());
        Assert.Contains("already finished (canceled)", await ProblemAsync(await _api.Client().PostAsync($"/api/runs/{runId}/cancel", null), HttpStatusCode.Conflict));
    }

    [Fact]
    public async Task Paging_parameters_never_give_a_5xx_whatever_they_are()
    {
        var values = Gen.OneOf(Gen.Int.Select(i => i.ToString()), Gen.Long.Select(l => l.ToString()), Gen.String[0, 30],
            Gen.OneOf<string>("", "-0", "1e9", "0x10", "NaN", "%00", "1.5", " 7", "\u0661"));
        await values.Select(values).SampleAsync(async pair =>
        {
            var (page, size) = pair;
            var response = await _api.Client(withKey: false).GetAsync(
                $"/api/runs?page={Uri.EscapeDataString(page)}&page_size={Uri.EscapeDataString(size)}");
            Assert.True((int)response.StatusCode < 500, $"page={page} page_size={size}: {(int)response.StatusCode}");
        }, iter: 200, threads: 1);
    }

    [Fact]
    public async Task Mart_query_parameters_never_give_a_5xx_whatever_they_are()
    {
        // growth_metrics is never built here, so a query that passes validation gets 409; the rest are 400/404.
        var name = Gen.OneOf(Gen.String[0, 20], Gen.OneOf<string>("date", "dau", "\"date\"", "date;drop table x", "count", "__total", ""));
        var op = Gen.OneOf(Gen.String[0, 5], Gen.OneOf<string>("eq", "gte", "lt", "like", ""));
        var filter = Gen.Select(name, op, Gen.String[0, 40], (n, o, v) => $"{n}:{o}:{v}");
        var key = Gen.OneOf(Gen.String[0, 20], Gen.OneOf<string>("growth_metrics", "stg_events", "..", "%2e%2e"));
        await Gen.Select(key, name, filter.Array[0, 20], Gen.OneOf(Gen.Int.Select(i => i.ToString()), Gen.String[0, 10])).SampleAsync(async query =>
        {
            var (mart, column, filters, limit) = query;
            var url = $"/api/marts/{Uri.EscapeDataString(mart.Length == 0 ? "x" : mart)}/rows?columns={Uri.EscapeDataString(column)}"
                      + $"&group_by={Uri.EscapeDataString(column)}&order=-{Uri.EscapeDataString(column)}&limit={Uri.EscapeDataString(limit)}"
                      + string.Concat(filters.Select(f => "&filter=" + Uri.EscapeDataString(f)));
            var response = await _api.Client(withKey: false).GetAsync(url);
            Assert.True((int)response.StatusCode < 500, $"{url}: {(int)response.StatusCode}");
        }, iter: 200, threads: 1);
    }

    [Theory]
    [InlineData("/signin")]
    [InlineData("/signin?token=")]
    [InlineData("/signin?token=%00%ff")]
    [InlineData("/api/assets/stg_events/materializations?limit=0")]
    [InlineData("/api/assets/stg_events/materializations?limit=501")]
    [InlineData("/api/runs?status=%00")]
    public async Task Web_and_history_endpoints_answer_bad_input_without_a_5xx(string url)
    {
        var response = await _api.Client(withKey: false).GetAsync(url);
        Assert.InRange((int)response.StatusCode, 400, 499);
    }
}
