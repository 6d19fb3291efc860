using Analytics.Core.Execution;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every service of the app shares, shaped like Aspire's ServiceDefaults: OpenTelemetry traces, metrics and
/// logs over OTLP (when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set), health endpoints, and resilient HttpClients.
/// The OpenTelemetry hosting and instrumentation packages are not served here, so the SDK is wired by hand onto
/// ASP.NET Core's and HttpClient's built-in activity sources and meters.
/// </summary>
public static class Extensions
{
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddOpenTelemetry();
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddHttpMessageHandler(() => new ResilienceHandler()));
        return builder;
    }

    /// <summary><c>/health</c>: every check (ready to serve); <c>/alive</c>: only the liveness ones.</summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) });
        return app;
    }

    private static void AddOpenTelemetry(this IHostApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }

        // ASP.NET Core 10 puts http attributes on its server spans only with this switch off.
        AppContext.SetSwitch("Microsoft.AspNetCore.Hosting.SuppressActivityOpenTelemetryData", false);
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Environment.ApplicationName;
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName);
        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource("Microsoft.AspNetCore", "System.Net.Http", EngineTelemetry.Name)
            .AddOtlpExporter()
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", EngineTelemetry.Name)
            .AddOtlpExporter()
            .Build();
        builder.Services.AddSingleton(new TelemetryProviders(tracing, metrics));
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.SetResourceBuilder(resource);
            logging.IncludeScopes = true;
            logging.AddOtlpExporter();
        });
    }

    /// <summary>Owns the providers so the container flushes and disposes them at shutdown.</summary>
    private sealed class TelemetryProviders(TracerProvider? tracing, MeterProvider? metrics) : IDisposable
    {
        public void Dispose()
        {
            tracing?.Dispose();
            metrics?.Dispose();
        }
    }
}
