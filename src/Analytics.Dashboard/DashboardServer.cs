using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Opentelemetry.Proto.Collector.Logs.V1;
using Opentelemetry.Proto.Collector.Metrics.V1;
using Opentelemetry.Proto.Collector.Trace.V1;

namespace Analytics.Dashboard;

/// <summary>How the dashboard is reached and what it forwards.</summary>
public sealed record DashboardOptions
{
    /// <summary>The address to listen on: loopback unless a person chooses otherwise.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>0 picks a free port.</summary>
    public int Port { get; init; }

    /// <summary>The user's own collector (their <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>): everything received is sent there too.</summary>
    public Uri? ForwardTo { get; init; }

    /// <summary>The built pages (web/dist-dashboard); without them the API still answers.</summary>
    public string? StaticFiles { get; init; }

    /// <summary>The largest OTLP export accepted, in bytes.</summary>
    public int MaxExportBytes { get; init; } = 16 << 20;
}

/// <summary>
/// The AppHost's local-dev dashboard, in the role of Aspire's: an OTLP/HTTP (protobuf) receiver for every service,
/// bounded stores of what it received and of each process's console, and the pages and JSON API that show them and
/// stop, start and restart resources. Access is by a one-time link carrying a token, which becomes an HttpOnly
/// cookie; OTLP exports must carry the key the AppHost gives the services.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    public const string CookieName = "analytics_dashboard";
    public const string OtlpKeyHeader = "x-otlp-api-key";

    private readonly WebApplication _app;
    private readonly HashSet<string> _sessions = [];
    private readonly Channel<(string Path, byte[] Body)>? _forward;
    private readonly Task? _forwarding;
    private readonly IResourceControl _resources;
    private readonly DashboardOptions _options;

    public DashboardServer(IResourceControl resources, DashboardOptions? options = null)
    {
        _resources = resources;
        _options = options ?? new DashboardOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(_options.Address, _options.Port);
            k.Limits.MaxRequestBodySize = _options.MaxExportBytes;
        });
        builder.Logging.ClearProviders();
        builder.Services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        _app = builder.Build();
        if (_options.ForwardTo is not null)
        {
            // When the user's collector falls behind, the oldest exports go: the dashboard itself never waits for it.
            _forward = Channel.CreateBounded<(string, byte[])>(new BoundedChannelOptions(1_000) { FullMode = BoundedChannelFullMode.DropOldest });
            _forwarding = Task.Run(ForwardAsync);
        }

        MapOtlp();
        MapApi();
        if (_options.StaticFiles is { } folder && Directory.Exists(folder))
        {
            var files = new PhysicalFileProvider(Path.GetFullPath(folder));
            _app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            _app.MapFallback(async context =>
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                context.Response.Headers.CacheControl = "no-store";
                await context.Response.SendFileAsync(files.GetFileInfo("index.html"));
            });
        }

        _app.StartAsync().GetAwaiter().GetResult();
        Url = _app.Urls.First().Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal);
    }

    public string Url { get; }

    /// <summary>The secret of the one-time sign-in link.</summary>
    public string Token { get; } = Secret();

    /// <summary>The key services put in <c>OTEL_EXPORTER_OTLP_HEADERS</c>.</summary>
    public string OtlpKey { get; } = Secret();

    /// <summary>The link the AppHost prints: opening it signs the browser in.</summary>
    public string LoginUrl => $"{Url}/login?t={Token}";

    /// <summary>Where services send OTLP (HTTP/protobuf).</summary>
    public string OtlpEndpoint => Url;

    public TelemetryStore Telemetry { get; } = new();

    public ConsoleLogStore Console { get; } = new();

    private void MapOtlp()
    {
        _app.MapPost("/v1/traces", (HttpContext c) => ReceiveAsync(c, "traces", ExportTraceServiceRequest.Parser, r => Telemetry.Add(r), new ExportTraceServiceResponse()));
        _app.MapPost("/v1/logs", (HttpContext c) => ReceiveAsync(c, "logs", ExportLogsServiceRequest.Parser, r => Telemetry.Add(r), new ExportLogsServiceResponse()));
        _app.MapPost("/v1/metrics", (HttpContext c) => ReceiveAsync(c, "metrics", ExportMetricsServiceRequest.Parser, r => Telemetry.Add(r), new ExportMetricsServiceResponse()));
    }

    private async Task ReceiveAsync<T>(HttpContext context, string signal, MessageParser<T> parser, Action<T> keep, IMessage response)
        where T : IMessage<T>
    {
        if (!FixedEquals(context.Request.Headers[OtlpKeyHeader].ToString(), OtlpKey))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (context.Request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
        {
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.Response.WriteAsync("OTLP/HTTP here takes application/x-protobuf.");
            return;
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }

        try
        {
            keep(parser.ParseFrom(body));
        }
        catch (InvalidProtocolBufferException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"not an OTLP {signal} export (protobuf did not parse).");
            return;
        }

        _forward?.Writer.TryWrite(("/v1/" + signal, body));
        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.WriteAsync(response.ToByteArray());
    }

    private async Task ForwardAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var baseUrl = _options.ForwardTo!.ToString().TrimEnd('/');
        await foreach (var (path, body) in _forward!.Reader.ReadAllAsync())
        {
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
                using var _ = await http.PostAsync(baseUrl + path, content);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // The user's collector is away; the dashboard keeps working and the export is dropped.
            }
        }
    }

    private void MapApi()
    {
        _app.MapGet("/login", (HttpContext context, string? t) =>
        {
            if (t is null || !FixedEquals(t, Token))
            {
                return Results.Text("This sign-in link is wrong. Open the dashboard link the AppHost printed.", statusCode: 401);
            }

            var session = Secret();
            lock (_sessions)
            {
                _sessions.Add(session);
            }

            context.Response.Cookies.Append(CookieName, session, new CookieOptions
            {
                HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", IsEssential = true,
            });
            return Results.Redirect("/");
        });

        var api = _app.MapGroup("/api").AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!SignedIn(http))
            {
                return Results.Json(new { error = "sign in with the dashboard link the AppHost printed" }, statusCode: 401);
            }

            // A cross-site form cannot set this header, so a POST carrying it came from the dashboard's own pages.
            if (HttpMethods.IsPost(http.Request.Method) && http.Request.Headers["X-Dashboard"] != "1")
            {
                return Results.Json(new { error = "actions need the X-Dashboard: 1 header" }, statusCode: 403);
            }

            return await next(context);
        });
        api.MapGet("/resources", () => _resources.Resources());
        api.MapPost("/resources/{name}/{action}", async (string name, string action, int? replica, CancellationToken cancellationToken) =>
        {
            if (action is not ("stop" or "start" or "restart"))
            {
                return Results.Json(new { error = $"'{action}' is no action; use stop, start or restart" }, statusCode: 400);
            }

            var problem = await _resources.ActAsync(name, action, replica, cancellationToken);
            return problem is null ? Results.Json(new { done = true }) : Results.Json(new { error = problem }, statusCode: 400);
        });
        api.MapGet("/console", (string? resource, string? replica, string? search, long? after, int? limit) =>
            Console.Read(resource, replica, Bound(search, 200), after ?? 0, Math.Clamp(limit ?? 1000, 1, 5000)));
        api.MapGet("/logs", (string? resource, string? level, string? search, long? after, int? limit) =>
            Telemetry.Logs(resource, level, Bound(search, 200), after ?? 0, Math.Clamp(limit ?? 500, 1, 5000)));
        api.MapGet("/traces", (string? resource, int? limit, bool? background) =>
            Telemetry.Traces(resource, Math.Clamp(limit ?? 200, 1, 1000), background ?? false));
        api.MapGet("/traces/{id}", (string id) => Telemetry.Trace(id) is { } spans
            ? Results.Json(spans)
            : Results.Json(new { error = $"no trace {id[..Math.Min(id.Length, 64)]} (it may have been dropped: the newest {Telemetry.MaxSpans:N0} spans are kept)" }, statusCode: 404));
        api.MapGet("/metrics", () => Telemetry.MetricNames());
        api.MapGet("/metrics/{resource}/{name}", (string resource, string name) => Telemetry.Metric(resource, name));
    }

    private bool SignedIn(HttpContext context)
    {
        var cookie = context.Request.Cookies[CookieName];
        if (cookie is null)
        {
            return false;
        }

        lock (_sessions)
        {
            return _sessions.Contains(cookie);
        }
    }

    private static string? Bound(string? text, int max) => string.IsNullOrEmpty(text) ? null : text.Length > max ? text[..max] : text;

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    public async ValueTask DisposeAsync()
    {
        _forward?.Writer.TryComplete();
        if (_forwarding is not null)
        {
            await Task.WhenAny(_forwarding, Task.Delay(TimeSpan.FromSeconds(5)));
        }

        await _app.DisposeAsync();
    }
}
