using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Testing;

/// <summary>A local Slack-style incoming webhook: keeps each JSON body posted to its secret path, or answers 500 while failing.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<string> _bodies = [];

    public WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/services/T000/B000/{secret}", async (string secret, HttpRequest request) =>
        {
            if (Failing || secret != Secret)
            {
                return Results.StatusCode(Failing ? 500 : 404);
            }

            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            lock (_bodies)
            {
                _bodies.Add(body);
            }

            return Results.Text("ok");
        });
        _app.StartAsync().GetAwaiter().GetResult();
        Url = $"{_app.Urls.First()}/services/T000/B000/{Secret}";
    }

    /// <summary>The part of the URL that is the secret, as in a real Slack webhook.</summary>
    public string Secret { get; } = "s3cr3t" + Guid.NewGuid().ToString("N");

    public string Url { get; }

    public bool Failing { get; set; }

    public IReadOnlyList<string> Bodies
    {
        get
        {
            lock (_bodies)
            {
                return _bodies.ToList();
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
