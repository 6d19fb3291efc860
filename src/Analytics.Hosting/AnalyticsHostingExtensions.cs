using Analytics.Postgres.Hosting;
using Analytics.Postgres.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Analytics.Hosting;

public static class AnalyticsHostingExtensions
{
    /// <summary>
    /// Registers the warehouse and run store (from <c>ConnectionStrings:warehouse</c> / <c>:runstore</c>, or the
    /// embedded server), the declared assets, and a readiness check that the run store is migrated.
    /// </summary>
    public static IHostApplicationBuilder AddAnalytics(this IHostApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var settings = new AnalyticsSettings(
            NullIfEmpty(configuration.GetConnectionString("warehouse")),
            NullIfEmpty(configuration.GetConnectionString("runstore")),
            NullIfEmpty(configuration["ANALYTICS_HOME"]),
            NullIfEmpty(configuration["ANALYTICS_ASSETS"]));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(_ => new AnalyticsServices(
            AnalyticsEnvironment.OpenAsync(settings, CancellationToken.None).GetAwaiter().GetResult(),
            AnalyticsEnvironment.LoadAssets(settings)));
        builder.Services.AddOptions<WorkerOptions>().Bind(configuration.GetSection("Analytics:Worker"));
        builder.Services.AddHealthChecks().AddCheck<RunStoreHealthCheck>("runstore");
        return builder;
    }

    /// <summary>Runs a queue worker in this process (the worker service, or the API for single-machine use).</summary>
    public static IHostApplicationBuilder AddRunWorker(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<RunWorkerService>();
        return builder;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
