using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Testing;

/// <summary>A tiny OTLP/HTTP endpoint: keeps every trace export it receives, accepts metrics and logs.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<byte[]> _traces = [];

    public OtlpReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            lock (_traces)
            {
                _traces.Add(body.ToArray());
            }

            return Results.Ok();
        });
        _app.MapPost("/v1/metrics", () => Results.Ok());
        _app.MapPost("/v1/logs", () => Results.Ok());
        _app.StartAsync().GetAwaiter().GetResult();
        Endpoint = _app.Urls.First();
    }

    public string Endpoint { get; }

    /// <summary>Every export so far as text: OTLP protobuf keeps span names and attribute values as UTF-8 strings.</summary>
    public string TracesText
    {
        get
        {
            lock (_traces)
            {
                return string.Join("\n", _traces.Select(Encoding.UTF8.GetString));
            }
        }
    }

    /// <summary>Every span received so far, decoded.</summary>
    public IReadOnlyList<OtlpSpan> Spans
    {
        get
        {
            lock (_traces)
            {
                return _traces.SelectMany(OtlpSpan.Parse).ToList();
            }
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
