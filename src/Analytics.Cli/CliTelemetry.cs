using Analytics.Core.Execution;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Analytics.Cli;

/// <summary>
/// A CLI run's telemetry, as the services send theirs: the run span, a span per asset and check, and each SQL
/// statement (Npgsql's instrumentation) under the span it ran in; the engine's metrics too. Exported over OTLP
/// when an endpoint is set, and flushed before the process exits.
/// </summary>
internal sealed class CliTelemetry(TracerProvider tracing, MeterProvider metrics) : IDisposable
{
    public static CliTelemetry? Start(string? endpoint)
    {
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"OTEL_EXPORTER_OTLP_ENDPOINT is '{endpoint}', which is no http(s) URL; set it like http://localhost:4318, or unset it.");
        }

        // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES still apply; "analytics" is only the default name.
        var resource = ResourceBuilder.CreateDefault().AddService("analytics").AddEnvironmentVariableDetector();
        var grpc = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL") == "grpc";
        // An endpoint set in code is used as given: over HTTP each signal needs its own path.
        Action<OtlpExporterOptions> Exporter(string signalPath) => options =>
        {
            options.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            options.Endpoint = new Uri(grpc ? endpoint : endpoint.TrimEnd('/') + signalPath);
        };

        var tracing = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(EngineTelemetry.Name)
            .AddNpgsql()
            .AddOtlpExporter(Exporter("/v1/traces"))
            .Build();
        var metrics = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(EngineTelemetry.Name)
            .AddNpgsqlInstrumentation()
            .AddOtlpExporter(Exporter("/v1/metrics"))
            .Build();
        return new CliTelemetry(tracing, metrics);
    }

    public void Dispose()
    {
        tracing.ForceFlush();
        metrics.ForceFlush();
        tracing.Dispose();
        metrics.Dispose();
    }
}
