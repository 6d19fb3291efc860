using Analytics.Core.Execution;
using Analytics.Ingest;
using Analytics.RunStore;
using Analytics.Warehouse.BigQuery;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Analytics.Orchestration;

public static class AnalyticsServiceCollectionExtensions
{
    /// <summary>The DI key of the run store's data source.</summary>
    public const string RunStoreKey = "runstore";

    /// <summary>
    /// Everything a command or service needs, registered once for the CLI and the services alike: the started
    /// <paramref name="environment"/> (connection strings, or the embedded server, stopped with the container), the
    /// assets, the warehouse chosen by <see cref="AnalyticsSettings.Warehouse"/>, the run store, the executor factory,
    /// and <see cref="AnalyticsInitializer"/> as the first hosted service, which migrates before anything else starts.
    /// </summary>
    public static IServiceCollection AddAnalytics(this IServiceCollection services, AnalyticsSettings settings, AnalyticsEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        services.AddSingleton(settings);
        // Made by a factory so the container owns it: the embedded server stops when the host does.
        services.AddSingleton(_ => environment);
        services.AddHostedService<AnalyticsInitializer>();
        // Each area's options bound from Analytics:<Area> (and the earlier names) and checked at start: a bad value stops
        // the service or the command, naming it.
        services.AddSingleton<OptionsValidation>();
        services.AddSingleton<IValidateOptions<WorkerOptions>>(provider => provider.GetRequiredService<OptionsValidation>());
        services.AddSingleton<IValidateOptions<Alerting.AlertOptions>>(provider => provider.GetRequiredService<OptionsValidation>());
        services.AddSingleton<IValidateOptions<BigQueryOptions>, BigQueryOptionsValidation>();
        services.AddOptions<WorkerOptions>().BindSettings("Analytics:Worker");
        services.AddOptions<Alerting.AlertOptions>().BindSettings("Analytics:Alerts");
        services.AddOptions<BigQueryOptions>().BindSettings(BigQueryOptions.Section);
        services.AddSingleton(_ => AnalyticsEnvironment.LoadAssets(settings));
        services.AddKeyedSingleton(RunStoreKey, (provider, _) =>
            PostgresDataSources.Create(provider.GetRequiredService<AnalyticsEnvironment>().RunStoreConnectionString));
        services.AddRunStore(RunStoreKey);
        // The setting picks the adapter; its registration brings everything adapter-specific (ingest, extraction, watermark).
        _ = settings.Warehouse.ToLowerInvariant() switch
        {
            "postgres" => services.AddPostgresWarehouse(provider => provider.GetRequiredService<AnalyticsEnvironment>().WarehouseConnectionString,
                settings.EventTimes),
            // The run store stays PostgreSQL (embedded unless ConnectionStrings__runstore is set); the loads' bookkeeping lives there.
            "bigquery" => services.AddBigQueryWarehouse(provider => settings.BigQuery ?? provider.GetRequiredService<IOptions<BigQueryOptions>>().Value.ToSettings(),
                provider => provider.GetRequiredKeyedService<NpgsqlDataSource>(RunStoreKey), settings.EventTimes),
            _ => throw new ArgumentException(
                $"Analytics__Warehouse is '{settings.Warehouse}', which is no warehouse this build has; set it to 'postgres' (the default) or 'bigquery'."),
        };

        // A gs:// landing zone or path beside a PostgreSQL warehouse: Cloud Storage from the same bound options.
        services.AddGcs(provider => settings.BigQuery ?? provider.GetRequiredService<IOptions<BigQueryOptions>>().Value.ToSettings());
        return services.AddAnalyticsEngine(settings);
    }

    /// <summary>
    /// The engine over whichever warehouse and run store are registered (by <see cref="AddAnalytics"/>, or by a test over its
    /// own database): each role of the warehouse, the source loader, the executor factory, and the services the API, the
    /// worker and the CLI share (the run worker and its sweeper, the source catalog, retention, erasure).
    /// </summary>
    public static IServiceCollection AddAnalyticsEngine(this IServiceCollection services, AnalyticsSettings settings)
    {
        // Each role of the adapter resolves to the one registered: a consumer asks for the role it uses.
        services.AddSingleton<IWarehouseBuilder>(provider => provider.GetRequiredService<IWarehouse>());
        services.AddSingleton<IIncrementalPlanning>(provider => provider.GetRequiredService<IWarehouse>());
        services.AddSingleton<IWarehouseChecks>(provider => provider.GetRequiredService<IWarehouse>());
        services.AddSingleton<IBuildRecovery>(provider => provider.GetRequiredService<IWarehouse>());
        services.AddSingleton<IWarehouseReader>(provider => provider.GetRequiredService<IWarehouse>());
        services.AddSingleton<ISourceLoader>(provider => new SourceLoader(provider.GetRequiredService<Func<IExtractionTarget>>(),
            provider.GetRequiredKeyedService<NpgsqlDataSource>(RunStoreKey), provider.GetRequiredService<ISourceIngestor>(), settings,
            provider.GetRequiredService<GcsClient>,
            provider.GetService<Microsoft.Extensions.Logging.ILoggerFactory>()?.CreateLogger(typeof(SourceLoader).FullName!)));
        // gs:// paths and a gs:// landing zone work whichever the warehouse (BigQuery's registration made it already).
        services.AddGcs(_ => settings.BigQueryOrEnvironment());
        services.AddSingleton<RunExecutorFactory>();
        services.AddSingleton<BuildSweeper>();
        services.AddSingleton<RunWorker>();
        services.AddSingleton<SourceCatalog>();
        services.AddSingleton<SourceRetention>();
        services.AddSingleton<SubjectEraser>();
        services.AddOptions<WorkerOptions>();
        return services;
    }
}
