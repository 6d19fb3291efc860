using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Analytics.Testing;

namespace Analytics.AppHost.Tests;

/// <summary>
/// The real gateway process in front of a stand-in API whose /health the test sets. Issue 25, finding 11: the
/// gateway's /health stayed healthy while the API behind it was not. Issue 26, item 6: /superset without Superset
/// answered a browser with raw JSON.
/// </summary>
public sealed class GatewayProcessTests : IAsyncLifetime
{
    private readonly HttpListener _api = new();
    private readonly int _apiPort = FreePort();
    private readonly int _gatewayPort = FreePort();
    private readonly StringBuilder _output = new();
    private volatile int _apiHealth = 200;
    private Process? _gateway;

    public async Task InitializeAsync()
    {
        _api.Prefixes.Add($"http://127.0.0.1:{_apiPort}/");
        _api.Start();
        _ = ServeAsync();

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(GatewayDll());
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{_gatewayPort}";
        info.Environment["services__api__http__0"] = $"http://127.0.0.1:{_apiPort}";
        _gateway = Process.Start(info)!;
        _gateway.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _gateway.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _gateway.BeginOutputReadLine();
        _gateway.BeginErrorReadLine();

        using var http = new HttpClient();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await http.GetAsync($"http://127.0.0.1:{_gatewayPort}/alive");
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_gateway.HasExited)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException e)
            {
                lock (_output)
                {
                    throw new InvalidOperationException($"the gateway did not start: {e.Message}\n{_output}");
                }
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_gateway is { HasExited: false })
        {
            _gateway.Kill(entireProcessTree: true);
        }

        _gateway?.Dispose();
        if (_api.IsListening)
        {
            _api.Stop();
        }

        _api.Close();
        return Task.CompletedTask;
    }

    private async Task ServeAsync()
    {
        while (_api.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _api.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            context.Response.StatusCode = context.Request.Url?.AbsolutePath == "/health" ? _apiHealth : 404;
            context.Response.Close();
        }
    }

    private async Task<(HttpStatusCode Status, string Body)> GatewayHealthAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var response = await http.GetAsync($"http://127.0.0.1:{_gatewayPort}/health");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_gateways_health_follows_the_apis_and_is_unhealthy_when_the_api_cannot_be_reached()
    {
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GatewayHealthAsync());

        _apiHealth = 503;
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GatewayHealthAsync());

        _apiHealth = 200;
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await GatewayHealthAsync());

        _api.Stop();
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await GatewayHealthAsync());
    }

    [Fact]
    public async Task Without_superset_a_browser_gets_a_page_saying_how_to_get_it_and_other_clients_a_problem()
    {
        using var http = new HttpClient();
        using var page = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_gatewayPort}/superset/");
        page.Headers.Accept.ParseAdd("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        using var html = await http.SendAsync(page);
        var body = await html.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Superset is not running</h1>", body);
        Assert.Contains("docker info", body);
        Assert.Contains("analytics superset bundle", body);
        Assert.Contains("href=\"/dashboards\"", body);

        using var json = await http.GetAsync($"http://127.0.0.1:{_gatewayPort}/superset/dashboard/1/");
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static string GatewayDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(TestFiles.RepositoryRoot, "src", "Analytics.Gateway", "bin", configuration, "net10.0", "Analytics.Gateway.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"build the solution first: {dll} is missing", dll);
    }
}
