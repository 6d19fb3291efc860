using Analytics.Core.Ingest;
using Analytics.Warehouse.BigQuery;
using Microsoft.Extensions.Configuration;

namespace Analytics.Orchestration;

/// <summary>
/// Where the warehouse, run store and assets are: the environment variables of interfaces.md, read once so that
/// tests can pass their own. <see cref="Warehouse"/> names the adapter (<c>postgres</c>, the default); the CLI exports its
/// spans and metrics to <see cref="OtlpEndpoint"/> when one is set.
/// </summary>
public sealed record AnalyticsSettings(
    string? WarehouseConnection, string? RunStoreConnection, string? Home, string? AssetsPath, string Warehouse = "postgres", string? OtlpEndpoint = null,
    string? Landing = null)
{
    /// <summary>Where BigQuery and the GCS landing zone are; null reads them from the environment when first needed.</summary>
    public BigQuerySettings? BigQuery { get; init; }

    /// <summary>The event times ingest accepts (<c>Analytics__Ingest__EventTimeFrom|Until</c>).</summary>
    public EventTimeRange EventTimes { get; init; } = EventTimeRange.Default;

    /// <summary>
    /// The connection string a database source names (<c>ConnectionStrings__NAME</c>), or null when it is not set.
    /// </summary>
    public Func<string, string?> SourceConnections { get; init; } = _ => null;

    /// <summary>Where a command says which database it uses when it starts or joins the embedded one (the CLI's standard error).</summary>
    public TextWriter? Notices { get; init; }

    /// <summary><see cref="BigQuery"/>, else the <c>ANALYTICS_BIGQUERY_*</c> variables (a malformed one is an ArgumentException naming it).</summary>
    public BigQuerySettings BigQueryOrEnvironment() => BigQuery ?? BigQuerySettings.FromEnvironment();

    /// <summary>The CLI's settings: the process environment (<c>ConnectionStrings__warehouse</c> and so on).</summary>
    public static AnalyticsSettings FromEnvironment() => FromConfiguration(new ConfigurationBuilder().AddEnvironmentVariables().Build());

    /// <summary>The same names read from configuration, where environment variables are one source among others.</summary>
    public static AnalyticsSettings FromConfiguration(IConfiguration configuration) => new(
        Read(configuration.GetConnectionString("warehouse")),
        Read(configuration.GetConnectionString("runstore")),
        Read(configuration["ANALYTICS_HOME"]),
        Read(configuration["ANALYTICS_ASSETS"]),
        Read(configuration["Analytics:Warehouse"]) ?? "postgres",
        Read(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]),
        Read(configuration["Analytics:Landing"]))
    {
        EventTimes = EventTimeRange.Parse(configuration[EventTimeRange.FromSetting], configuration[EventTimeRange.UntilSetting]),
        SourceConnections = name => Read(configuration.GetConnectionString(name)),
    };

    private static string? Read(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
