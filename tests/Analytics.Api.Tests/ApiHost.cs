using System.Collections.Concurrent;
using Analytics.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Analytics.Api.Tests;

/// <summary>The catalog API on a real socket, against its own database and assets folder.</summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-not-secret";
    public const string SignInToken = "test-sign-in-token";

    private readonly Dictionary<string, string?> _settings;

    public ApiHost(string connectionString, string assets, bool inProcessWorker = true, IReadOnlyDictionary<string, string?>? settings = null)
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
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        UseKestrel(0);
        StartServer();
    }

    /// <summary>Every log record the API wrote, from debug up: level, category, message.</summary>
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)).AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client that sends <paramref name="key"/> as its X-Api-Key, or none when it is null.</summary>
    public HttpClient ClientAs(string? key)
    {
        var client = Client(withKey: false);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }

        return client;
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

internal sealed class CapturingLoggerProvider(ConcurrentQueue<(LogLevel, string, string)> logs) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, logs);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(LogLevel, string, string)> logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
