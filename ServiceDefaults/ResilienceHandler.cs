using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The standard resilience of every HttpClient (Microsoft.Extensions.Http.Resilience is not served here):
/// a total timeout, and retries with jittered exponential backoff for transient failures of idempotent requests.
/// </summary>
public sealed class ResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePipeline<HttpResponseMessage> Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
        .AddTimeout(TimeSpan.FromSeconds(30))
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(args.Context.Properties.GetValue(Idempotent, false) && args.Outcome switch
            {
                { Exception: HttpRequestException or TimeoutRejectedException } => true,
                { Result.StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError } => true,
                _ => false,
            }),
        })
        .AddTimeout(TimeSpan.FromSeconds(10))
        .Build();

    private static readonly ResiliencePropertyKey<bool> Idempotent = new("idempotent");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(Idempotent, request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);
        try
        {
            return await Pipeline.ExecuteAsync(
                static async (ctx, state) => await state.Handler.SendCoreAsync(state.Request, ctx.CancellationToken),
                context,
                (Handler: this, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
