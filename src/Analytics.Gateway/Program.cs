using Analytics.Gateway.Extensions;

// One origin for the app: /api, /openapi and the web UI (/) to the catalog API; /superset redirects to Superset.
// The routes are this service's own configuration (appsettings.json, "ReverseProxy"); their destinations are
// service names (http://api) that service discovery resolves from what the AppHost hands out (services__api__http__N).
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver()
    // Header values go on as the bytes that came in (UTF-8), as they would straight to the API: HttpClient's default
    // refuses anything but ASCII, which made any such header a 502.
    .ConfigureHttpClient((_, handler) =>
    {
        handler.RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8;
        handler.ResponseHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8;
    });

builder.Services.AddHttpClient(ApiHealthCheck.Client, http => (http.BaseAddress, http.Timeout) = (new Uri("http://api"), TimeSpan.FromSeconds(5)));
builder.Services.AddHealthChecks().AddCheck<ApiHealthCheck>("api");

var app = builder.Build();

app.MapDefaultEndpoints();
// Superset 4.1.1 cannot serve under a path prefix (absolute asset and login URLs), so it keeps its own port and
// /superset sends the browser there; without a container engine it is not running, and the answer says so.
app.MapGet("/superset/{**rest}", (string? rest, HttpRequest request, IConfiguration configuration) =>
    configuration["Superset:Url"] is { Length: > 0 } superset
        ? Results.Redirect($"{superset.TrimEnd('/')}/{rest}")
        : SupersetNotRunning.Answer(request));
app.MapReverseProxy();

app.Run();
