using Analytics.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Analytics.Api.Tests;

/// <summary>The catalog API on a real socket, against its own database and assets folder.</summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-not-secret";
    public const string SignInToken = "test-sign-in-token";

    private readonly Dictionary<string, string?> _settings;

    public ApiHost(string connectionString, string assets, bool inProcessWorker = true)
    {
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:warehouse"] = connectionString,
            ["ANALYTICS_ASSETS"] = assets,
            ["Analytics:ApiKey"] = ApiKey,
            ["Analytics:SignInToken"] = SignInToken,
            ["Analytics:InProcessWorker"] = inProcessWorker ? "true" : "false",
            ["Analytics:Worker:PollInterval"] = "00:00:00.200",
            ["Analytics:Worker:HeartbeatInterval"] = "00:00:00.500",
            ["Analytics:Worker:HeartbeatTimeout"] = "00:00:04",
        };
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public HttpClient Client(bool withKey = true)
    {
        var client = CreateClient();
        if (withKey)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        }

        return client;
    }
}
