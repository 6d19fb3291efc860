using Analytics.Core.Execution;
using Analytics.Core.Ingest;
using Analytics.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

public static class PostgresWarehouseExtensions
{
    /// <summary>The DI key of the warehouse's <see cref="NpgsqlDataSource"/>.</summary>
    public const string DataSourceKey = "warehouse";

    /// <summary>
    /// Makes PostgreSQL the warehouse: <see cref="IWarehouse"/> (and <see cref="PostgresWarehouse"/>, for what only
    /// PostgreSQL does) over a data source opened from <paramref name="connectionString"/> on first use, with its way of
    /// loading sources: files by binary COPY (<see cref="ISourceIngestor"/>), database sources window by window
    /// (a new <see cref="IExtractionTarget"/> an extraction), and the loads' watermark, all in the warehouse itself.
    /// </summary>
    public static IServiceCollection AddPostgresWarehouse(this IServiceCollection services, Func<IServiceProvider, string> connectionString,
        EventTimeRange? eventTimes = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        services.AddKeyedSingleton(DataSourceKey, (provider, _) => PostgresDataSources.Create(connectionString(provider), autoPrepare: false, warehouse: true));
        services.AddSingleton(provider => new PostgresWarehouse(provider.GetRequiredKeyedService<NpgsqlDataSource>(DataSourceKey)));
        services.AddSingleton<IWarehouse>(provider => provider.GetRequiredService<PostgresWarehouse>());
        services.AddSingleton(provider => new PostgresErasure(provider.GetRequiredService<PostgresWarehouse>().DataSource));
        services.AddSingleton<ISourceIngestor>(provider => new SourceIngestor(provider.GetRequiredService<PostgresWarehouse>().DataSource, eventTimes));
        services.AddSingleton<IIngestManifest>(provider => new PostgresIngestManifest(provider.GetRequiredService<PostgresWarehouse>().DataSource));
        services.AddSingleton<ISourceWatermark>(provider => provider.GetRequiredService<IIngestManifest>());
        services.AddSingleton<Func<IExtractionTarget>>(provider =>
        {
            var warehouse = provider.GetRequiredService<PostgresWarehouse>().DataSource;
            return () => new PostgresExtractionTarget(warehouse);
        });
        return services;
    }
}
