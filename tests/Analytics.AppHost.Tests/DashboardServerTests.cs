using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Dashboard;
using Analytics.Testing;
using DashboardResourceControl = AppHost.Resources.DashboardResourceControl;
using Google.Protobuf;
using Opentelemetry.Proto.Collector.Logs.V1;
using Opentelemetry.Proto.Collector.Trace.V1;
using Opentelemetry.Proto.Common.V1;
using Opentelemetry.Proto.Logs.V1;
using Opentelemetry.Proto.Resource.V1;
using Opentelemetry.Proto.Trace.V1;

namespace Analytics.AppHost.Tests;

/// <summary>The dashboard's receiver, stores, limits and access rules, without the app or a browser.</summary>
public sealed class DashboardServerTests
{
    private sealed class OneResource : IResourceControl
    {
        public List<string> Actions { get; } = [];

        public IReadOnlyList<ResourceView> Resources() =>
            [new ResourceView("api", "project", "running", DateTimeOffset.UtcNow, [], ["http://127.0.0.1:1"], [], true)];

        public Task<string?> ActAsync(string resource, string action, int? replica, CancellationToken cancellationToken)
        {
            Actions.Add($"{resource} {action} {replica}");
            return Task.FromResult(resource == "api" ? null : $"no resource '{resource}'");
        }
    }

    private static ExportTraceServiceRequest Traces(string service, string instance, params (string Trace, string Span, string? Parent, string Name)[] spans)
    {
        var resource = new ResourceSpans { Resource = new Resource() };
        resource.Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = service } });
        resource.Resource.Attributes.Add(new KeyValue { Key = "service.instance.id", Value = new AnyValue { StringValue = instance } });
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Analytics" } };
        foreach (var (trace, span, parent, name) in spans)
        {
            scope.Spans.Add(new Span
            {
                TraceId = ByteString.CopyFrom(Convert.FromHexString(trace.PadLeft(32, '0'))),
                SpanId = ByteString.CopyFrom(Convert.FromHexString(span.PadLeft(16, '0'))),
                ParentSpanId = parent is null ? ByteString.Empty : ByteString.CopyFrom(Convert.FromHexString(parent.PadLeft(16, '0'))),
                Name = name, StartTimeUnixNano = 1_000, EndTimeUnixNano = 2_000,
            });
        }

        resource.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resource);
        return request;
    }

    private static HttpClient Signed(DashboardServer dashboard)
    {
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        var http = new HttpClient(handler) { BaseAddress = new Uri(dashboard.Url) };
        Assert.Equal(HttpStatusCode.Redirect, http.GetAsync(dashboard.LoginUrl).GetAwaiter().GetResult().StatusCode);
        return http;
    }

    private static async Task<HttpStatusCode> PostOtlpAsync(DashboardServer dashboard, string signal, byte[] body, string? key, string type = "application/x-protobuf")
    {
        using var http = new HttpClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        if (key is not null)
        {
            http.DefaultRequestHeaders.Add(DashboardServer.OtlpKeyHeader, key);
        }

        return (await http.PostAsync($"{dashboard.OtlpEndpoint}/v1/{signal}", content)).StatusCode;
    }

    [Fact]
    public async Task The_receiver_keeps_exports_that_carry_the_key_and_refuses_the_rest_with_the_right_status()
    {
        await using var dashboard = new DashboardServer(new OneResource(), new DashboardOptions { MaxExportBytes = 4096 });
        var export = Traces("worker", "worker-1", ("a1", "01", null, "queued run"), ("a1", "02", "01", "asset dim_users"), ("a1", "03", "02", "postgresql")).ToByteArray();

        Assert.Equal(HttpStatusCode.Unauthorized, await PostOtlpAsync(dashboard, "traces", export, null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostOtlpAsync(dashboard, "traces", export, "wrong"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostOtlpAsync(dashboard, "traces", export, dashboard.OtlpKey, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, await PostOtlpAsync(dashboard, "traces", [0xFF, 0xFF, 0xFF, 0x01], dashboard.OtlpKey));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await PostOtlpAsync(dashboard, "traces", new byte[5000], dashboard.OtlpKey));
        Assert.Equal(0, dashboard.Telemetry.SpanCount);

        Assert.Equal(HttpStatusCode.OK, await PostOtlpAsync(dashboard, "traces", export, dashboard.OtlpKey));
        Assert.Equal(3, dashboard.Telemetry.SpanCount);
        using var http = Signed(dashboard);
        var traces = await http.GetFromJsonAsync<JsonElement>("/api/traces");
        var trace = Assert.Single(traces.EnumerateArray());
        Assert.Equal("queued run", trace.GetProperty("name").GetString());
        Assert.Equal(3, trace.GetProperty("spans").GetInt32());
        var spans = await http.GetFromJsonAsync<JsonElement>($"/api/traces/{trace.GetProperty("trace_id").GetString()}");
        Assert.Equal(["queued run", "asset dim_users", "postgresql"], spans.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.All(spans.EnumerateArray(), s => Assert.Equal("worker-1", s.GetProperty("resource").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/traces/ffff")).StatusCode);
    }

    [Fact]
    public async Task Logs_are_kept_with_level_category_and_trace_and_filtered()
    {
        await using var dashboard = new DashboardServer(new OneResource());
        var logs = new ExportLogsServiceRequest();
        var resource = new ResourceLogs { Resource = new Resource() };
        resource.Resource.Attributes.Add(new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "api" } });
        var scope = new ScopeLogs { Scope = new InstrumentationScope { Name = "Analytics.Api.Runs" } };
        scope.LogRecords.Add(new LogRecord { TimeUnixNano = 5, SeverityNumber = SeverityNumber.Info, Body = new AnyValue { StringValue = "run queued" }, TraceId = ByteString.CopyFrom(new byte[16] { 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 }) });
        scope.LogRecords.Add(new LogRecord { TimeUnixNano = 6, SeverityNumber = SeverityNumber.Error, Body = new AnyValue { StringValue = "run failed" } });
        resource.ScopeLogs.Add(scope);
        logs.ResourceLogs.Add(resource);

        Assert.Equal(HttpStatusCode.OK, await PostOtlpAsync(dashboard, "logs", logs.ToByteArray(), dashboard.OtlpKey));

        using var http = Signed(dashboard);
        var all = await http.GetFromJsonAsync<JsonElement>("/api/logs?level=information");
        Assert.Equal(2, all.GetArrayLength());
        Assert.Equal(("api", "information", "Analytics.Api.Runs", "01000000000000000000000000000002"),
            (all[0].GetProperty("resource").GetString(), all[0].GetProperty("level").GetString(), all[0].GetProperty("category").GetString(), all[0].GetProperty("traceId").GetString()));
        var errors = await http.GetFromJsonAsync<JsonElement>("/api/logs?level=error");
        Assert.Equal("run failed", Assert.Single(errors.EnumerateArray()).GetProperty("message").GetString());
        Assert.Equal(0, (await http.GetFromJsonAsync<JsonElement>("/api/logs?resource=worker")).GetArrayLength());
    }

    [Fact]
    public async Task Everything_received_is_forwarded_to_the_users_own_endpoint()
    {
        await using var collector = new OtlpReceiver();
        await using var dashboard = new DashboardServer(new OneResource(), new DashboardOptions { ForwardTo = new Uri(collector.Endpoint) });

        await PostOtlpAsync(dashboard, "traces", Traces("api", "api", ("b2", "01", null, "GET /api/assets")).ToByteArray(), dashboard.OtlpKey);

        var text = await DistributedAppTests.EventuallyAsync(() => collector.TracesText, t => t.Contains("GET /api/assets", StringComparison.Ordinal));
        Assert.Contains("GET /api/assets", text);
    }

    [Fact]
    public async Task The_api_needs_the_cookie_and_actions_need_the_pages_header()
    {
        var resources = new OneResource();
        await using var dashboard = new DashboardServer(resources);
        using var anonymous = new HttpClient { BaseAddress = new Uri(dashboard.Url) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/resources")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/resources/api/stop", null)).StatusCode);

        using var http = Signed(dashboard);
        Assert.Equal("api", (await http.GetFromJsonAsync<JsonElement>("/api/resources"))[0].GetProperty("name").GetString());
        // A cross-site form post carries the cookie but cannot add a header.
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostAsync("/api/resources/api/stop", null)).StatusCode);
        http.DefaultRequestHeaders.Add("X-Dashboard", "1");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync("/api/resources/api/explode", null)).StatusCode);
        var unknown = await http.PostAsync("/api/resources/nope/stop", null);
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no resource 'nope'", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/resources/api/restart?replica=1", null)).StatusCode);
        Assert.Equal(["nope stop ", "api restart 1"], resources.Actions);
    }

    [Fact]
    public void Stores_are_bounded_and_drop_the_oldest_first()
    {
        var store = new TelemetryStore(maxSpans: 10, maxLogs: 3, maxSeries: 2, maxPointsPerSeries: 5);
        for (var t = 1; t <= 4; t++)
        {
            store.Add(Traces("w", "w", Enumerable.Range(1, 4).Select(i => ($"{t:x2}", $"{i:x2}", i == 1 ? null : "01", $"span {t}.{i}")).ToArray()));
        }

        Assert.Equal(8, store.SpanCount);
        Assert.Null(store.Trace("00000000000000000000000000000001"));
        Assert.Null(store.Trace("00000000000000000000000000000002"));
        Assert.NotNull(store.Trace("00000000000000000000000000000004"));

        var console = new ConsoleLogStore(maxLinesPerReplica: 3, maxLineLength: 10);
        for (var i = 0; i < 5; i++)
        {
            console.Add("worker", "worker-0", $"line {i}");
        }

        console.Add("api", "api", new string('x', 50), error: true);
        Assert.Equal(["line 2", "line 3", "line 4"], console.Read("worker", null, null, 0, 100).Select(l => l.Text));
        var cut = Assert.Single(console.Read(null, "api", null, 0, 100));
        Assert.StartsWith("xxxxxxxxxx [line cut at 10", cut.Text);
        Assert.True(cut.Error);
        Assert.Equal(["line 4"], console.Read(null, null, "4", 0, 100).Select(l => l.Text));
    }

    [Theory]
    [InlineData("ConnectionStrings__warehouse", "Host=127.0.0.1;Port=5;Username=postgres;Password=hunter2;Database=analytics", "Host=127.0.0.1;Port=5;Username=postgres;Password=********;Database=analytics")]
    [InlineData("Analytics__ApiKey", "abc123", "********")]
    [InlineData("SUPERSET_SECRET_KEY", "s", "********")]
    [InlineData("Analytics__Worker__Schedules", "true", "true")]
    public void Secrets_in_a_resources_environment_are_masked(string name, string value, string shown) =>
        Assert.Equal(shown, DashboardResourceControl.Mask(name, value));
}
