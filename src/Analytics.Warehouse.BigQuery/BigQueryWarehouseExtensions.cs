using Analytics.Core.Execution;
using Analytics.Core.Ingest;
using Analytics.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Analytics.Warehouse.BigQuery;

public static class BigQueryWarehouseExtensions
{
    /// <summary>
    /// Makes BigQuery the warehouse: <see cref="IWarehouse"/> (and <see cref="BigQueryWarehouse"/>) over the REST
    /// client, with the Cloud Storage client beside it. Credentials are resolved on first use: none against
    /// emulators, else Application Default Credentials.
    /// </summary>
    /// <remarks>
    /// Its loads' bookkeeping (the manifest, the watermarks) lives in PostgreSQL, in <paramref name="bookkeeping"/>: the
    /// run store's database. Files load through GCS and load jobs; database sources extract through a staged file each window.
    /// </remarks>
    public static IServiceCollection AddBigQueryWarehouse(this IServiceCollection services, BigQuerySettings settings,
        Func<IServiceProvider, NpgsqlDataSource> bookkeeping, EventTimeRange? eventTimes = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return services.AddBigQueryWarehouse(_ => settings, bookkeeping, eventTimes);
    }

    /// <summary>As above, with the settings made by the container (from the bound <see cref="BigQueryOptions"/>, say).</summary>
    public static IServiceCollection AddBigQueryWarehouse(this IServiceCollection services, Func<IServiceProvider, BigQuerySettings> settings,
        Func<IServiceProvider, NpgsqlDataSource> bookkeeping, EventTimeRange? eventTimes = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(bookkeeping);
        services.AddSingleton(settings);
        services.AddKeyedSingleton("bigquery", (provider, _) => GoogleRestTransport.Create(provider.GetRequiredService<BigQuerySettings>().BigQueryEmulator is not null));
        services.AddSingleton(provider => new BigQueryClient(provider.GetRequiredKeyedService<GoogleRestTransport>("bigquery"), provider.GetRequiredService<BigQuerySettings>()));
        services.AddGcs(provider => provider.GetRequiredService<BigQuerySettings>());
        services.AddSingleton(provider => new BigQueryWarehouse(provider.GetRequiredService<BigQueryClient>()));
        services.AddSingleton<IWarehouse>(provider => provider.GetRequiredService<BigQueryWarehouse>());
        services.AddSingleton(provider => new BigQuerySourceIngestor(
            provider.GetRequiredService<BigQueryWarehouse>(), provider.GetRequiredService<GcsClient>(), bookkeeping(provider), eventTimes));
        services.AddSingleton<ISourceIngestor>(provider => provider.GetRequiredService<BigQuerySourceIngestor>());
        services.AddSingleton<IIngestManifest>(provider => new PostgresIngestManifest(bookkeeping(provider)));
        services.AddSingleton<ISourceWatermark>(provider => provider.GetRequiredService<IIngestManifest>());
        services.AddSingleton<Func<IExtractionTarget>>(provider => provider.GetRequiredService<BigQuerySourceIngestor>().ExtractionTarget);
        return services;
    }

    /// <summary>
    /// The Cloud Storage client (<see cref="GcsClient"/>), unless one is registered already: its requests go through the
    /// host's <c>HttpClient</c> factory under <see cref="GcsClient.HttpClientName"/>, so they carry what the host gives
    /// every client (resilience, telemetry). <paramref name="settings"/> is read when a bucket is first used.
    /// </summary>
    public static IServiceCollection AddGcs(this IServiceCollection services, Func<IServiceProvider, BigQuerySettings> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddHttpClient(GcsClient.HttpClientName);
        services.TryAddSingleton(provider =>
        {
            var handlers = provider.GetRequiredService<IHttpMessageHandlerFactory>();
            return new GcsClient(settings(provider), () => handlers.CreateHandler(GcsClient.HttpClientName));
        });
        return services;
    }
}
