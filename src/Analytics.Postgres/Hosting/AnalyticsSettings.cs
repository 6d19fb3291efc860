namespace Analytics.Postgres.Hosting;

/// <summary>Where the warehouse, run store and assets are: the environment variables of interfaces.md, read once so that tests can pass their own.</summary>
public sealed record AnalyticsSettings(string? WarehouseConnection, string? RunStoreConnection, string? Home, string? AssetsPath)
{
    public static AnalyticsSettings FromEnvironment() => new(
        Read("ConnectionStrings__warehouse"),
        Read("ConnectionStrings__runstore"),
        Read("ANALYTICS_HOME"),
        Read("ANALYTICS_ASSETS"));

    private static string? Read(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
