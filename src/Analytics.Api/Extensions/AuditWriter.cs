using System.Diagnostics;
using System.Threading.Channels;
using Analytics.RunStore;

namespace Analytics.Api.Extensions;

/// <summary>
/// Writes the audit log in the background, in batches (one chain lock per batch, not per request), so recording a
/// request costs it nothing but a queue write. The queue is bounded: under a flood, requests wait for room rather
/// than go unrecorded. Stopping drains it.
/// </summary>
public sealed class AuditWriter(AuditStore store, ILogger<AuditWriter> log) : BackgroundService
{
    public const int Capacity = 10_000;
    private const int MaxBatch = 500;
    private readonly Channel<(AuditRecord? Record, TaskCompletionSource? Flushed)> _queue =
        Channel.CreateBounded<(AuditRecord?, TaskCompletionSource?)>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    public ValueTask RecordAsync(AuditRecord record) => _queue.Writer.WriteAsync((record, null));

    /// <summary>Completes once everything recorded before the call is in the run store.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var flushed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((null, flushed), cancellationToken);
        await flushed.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var records = new List<AuditRecord>();
        var waiting = new List<TaskCompletionSource>();
        var reader = _queue.Reader;
        while (await WaitAsync(reader, stoppingToken))
        {
            while (records.Count < MaxBatch && reader.TryRead(out var item))
            {
                if (item.Record is not null)
                {
                    records.Add(item.Record);
                }

                if (item.Flushed is not null)
                {
                    waiting.Add(item.Flushed);
                }
            }

            await WriteAsync(records);
            waiting.ForEach(w => w.TrySetResult());
            (records, waiting) = ([], []);
        }
    }

    /// <summary>Waits for work; once the host stops, it still drains what is queued.</summary>
    private static async Task<bool> WaitAsync(ChannelReader<(AuditRecord?, TaskCompletionSource?)> reader, CancellationToken stoppingToken)
    {
        try
        {
            return await reader.WaitToReadAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return reader.TryPeek(out _);
        }
    }

    private async Task WriteAsync(List<AuditRecord> records)
    {
        // A run store that is down for a moment: tried again, for up to a minute, before the batch is given up (and said so).
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.AppendAsync(records, CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException && clock.Elapsed < TimeSpan.FromMinutes(1))
            {
                log.LogWarning("The audit log could not be written (attempt {Attempt}): {Reason}", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, attempt)));
            }
            catch (Exception e)
            {
                log.LogError(e, "{Count} audit record(s) could not be written and are lost", records.Count);
                return;
            }
        }
    }
}

/// <summary>
/// Records each request the audit log keeps: every write, every read of warehouse rows, every refused request
/// (401, 403), with the principal (never the key), the endpoint, its target, the status, the client and the request id.
/// </summary>
public static class AuditMiddleware
{
    /// <summary>The reads of warehouse data (and of the log itself) that are recorded; other reads are not.</summary>
    private static readonly HashSet<string> DataReads = new(StringComparer.Ordinal) { "PreviewAsset", "GetMartRows", "ListAudit" };

    public static WebApplication UseAuditLog(this WebApplication app)
    {
        var writer = app.Services.GetRequiredService<AuditWriter>();
        app.Use(async (http, next) =>
        {
            var failed = false;
            try
            {
                await next(http);
            }
            catch
            {
                failed = true; // The exception handler outside answers it (500, or 503 without the run store); recorded as that.
                throw;
            }
            finally
            {
                if (http.Request.Path.StartsWithSegments("/api"))
                {
                    await RecordAsync(writer, http, failed);
                }
            }
        });
        return app;
    }

    private static async Task RecordAsync(AuditWriter writer, HttpContext http, bool failed)
    {
        var endpoint = http.GetEndpoint();
        var name = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
        var status = failed ? StatusCodes.Status500InternalServerError : http.Response.StatusCode;
        var write = !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !HttpMethods.IsOptions(http.Request.Method);
        if (!write && status is not (401 or 403) && !(name is not null && DataReads.Contains(name)))
        {
            return;
        }

        var forwarded = http.Request.Headers["X-Forwarded-For"].ToString();
        var client = forwarded.Length > 0 ? forwarded.Split(',')[0].Trim() : http.Connection.RemoteIpAddress?.ToString();
        await writer.RecordAsync(new AuditRecord(
            http.Principal().Name,
            name ?? $"{http.Request.Method} {(endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)"}",
            http.Request.Path.Value,
            status,
            client,
            Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier));
    }
}
