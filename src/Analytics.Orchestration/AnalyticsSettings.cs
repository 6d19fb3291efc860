namespace Analytics.Orchestration;

/// <summary>
/// Where the warehouse, run store and assets are: the environment variables of interfaces.md, read once so that
/// tests can pass their own. <see cref="Warehouse"/> names the adapter (<c>postgres</c>, the default); the CLI exports its
/// spans and metrics to <see cref="OtlpEndpoint"/> when one is set.
/// </summary>
public sealed record AnalyticsSettings(
    string? WarehouseConnection, string? RunStoreConnection, string? Home, string? AssetsPath, string Warehouse = "postgres", string? OtlpEndpoint = null)
{
    public static AnalyticsSettings FromEnvironment() => new(
        Read("ConnectionStrings__warehouse"),
        Read("ConnectionStrings__runstore"),
        Read("ANALYTICS_HOME"),
        Read("ANALYTICS_ASSETS"),
        Read("Analytics__Warehouse") ?? "postgres",
        Read("OTEL_EXPORTER_OTLP_ENDPOINT"));

    private static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
