using Analytics.Warehouse.BigQuery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration;

public static class AnalyticsHostingExtensions
{
    /// <summary>
    /// Starts the environment from configuration (<c>ConnectionStrings:warehouse</c> / <c>:runstore</c>,
    /// <c>Analytics:Warehouse</c>, or the embedded server) and registers
    /// <see cref="AnalyticsServiceCollectionExtensions.AddAnalytics"/> with it, the worker options, and a readiness
    /// check that the run store is migrated.
    /// </summary>
    public static async Task<IHostApplicationBuilder> AddAnalyticsAsync(this IHostApplicationBuilder builder, CancellationToken cancellationToken = default)
    {
        var settings = AnalyticsSettings.FromConfiguration(builder.Configuration);
        builder.Services.AddAnalytics(settings, await AnalyticsEnvironment.StartAsync(settings, cancellationToken));
        builder.Services.AddHttpClient(Alerting.AlertChannelSet.HttpClientName);
        // Cloud Storage moves whole files: one chunk of a resumable upload (10 MiB) or of a download may take longer than
        // the standard handler's 10 s an attempt, so its client (when the host adds that handler) waits minutes.
        builder.Services.Configure<HttpStandardResilienceOptions>(GcsClient.HttpClientName + "-standard", options =>
        {
            options.AttemptTimeout.Timeout = TimeSpan.FromMinutes(5);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(15);
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromMinutes(10);
        });
        builder.Services.AddHealthChecks().AddCheck<RunStoreHealthCheck>("runstore");
        return builder;
    }

    /// <summary>Runs a queue worker in this process (the worker service, or the API for single-machine use).</summary>
    public static IHostApplicationBuilder AddRunWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<RunWorkerService>();
        return builder;
    }
}
