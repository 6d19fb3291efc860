using Analytics.Core.Ingest;
using Analytics.Core.Settings;
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

    /// <summary>
    /// A setting by its earlier name (<c>SUPERSET_USERNAME</c>), read as its key first (<c>Analytics:Superset:Username</c>;
    /// see <see cref="SettingNames"/>): from the configuration these settings were read from.
    /// </summary>
    public Func<string, string?> Setting { get; init; } = SettingNames.Environment();

    /// <summary><see cref="BigQuery"/>, else the <c>Analytics:BigQuery:*</c> settings (a malformed one is an ArgumentException naming it).</summary>
    public BigQuerySettings BigQueryOrEnvironment() => BigQuery ?? BigQuerySettings.FromLookup(Setting);

    /// <summary>The CLI's settings: the process environment (<c>ConnectionStrings__warehouse</c> and so on).</summary>
    public static AnalyticsSettings FromEnvironment() => FromConfiguration(new ConfigurationBuilder().AddEnvironmentVariables().Build());

    /// <summary>The same names read from configuration, where environment variables are one source among others.</summary>
    public static AnalyticsSettings FromConfiguration(IConfiguration configuration) =>
        FromConfiguration(configuration, SettingNames.WithAliases(key => configuration[key]));

    private static AnalyticsSettings FromConfiguration(IConfiguration configuration, Func<string, string?> setting) => new(
        Read(configuration.GetConnectionString("warehouse")),
        Read(configuration.GetConnectionString("runstore")),
        Read(setting("ANALYTICS_HOME")),
        Read(setting("ANALYTICS_ASSETS")),
        Read(configuration["Analytics:Warehouse"]) ?? "postgres",
        Read(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]),
        Read(configuration["Analytics:Landing"]))
    {
        EventTimes = EventTimeRange.Parse(configuration[EventTimeRange.FromSetting], configuration[EventTimeRange.UntilSetting]),
        SourceConnections = name => Read(configuration.GetConnectionString(name)),
        Setting = setting,
    };

    private static string? Read(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
