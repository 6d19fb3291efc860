using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Analytics.Orchestration;

/// <summary>
/// Brings the databases to what this build expects before anything else starts: the warehouse's landing schema and
/// source tables, then the run store's migrations. The first hosted service <c>AddAnalytics</c> registers, so the
/// API, the workers and a CLI command all start on a migrated store; a database still starting is waited for (a minute
/// at most), a wrong one fails the start with its error.
/// </summary>
public sealed class AnalyticsInitializer(
    AssetProject project,
    IWarehouseBuilder warehouse,
    [FromKeyedServices(AnalyticsServiceCollectionExtensions.RunStoreKey)] NpgsqlDataSource runStore,
    ILogger<AnalyticsInitializer>? logger = null) : IHostedService
{
    /// <summary>How long a database that refuses connections (still starting) is waited for.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var log = logger ?? (ILogger)NullLogger.Instance;
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                var sources = project.Graph.Keys.Select(k => project.Graph[k]).Where(a => a.IsSource).ToList();
                await warehouse.EnsureSchemaAsync(sources, cancellationToken);
                await RunStoreMigrations.ApplyAsync(runStore, cancellationToken);
                return;
            }
            catch (NpgsqlException e) when (e is not PostgresException && e.IsTransient && DateTime.UtcNow < deadline)
            {
                log.LogWarning("The warehouse or the run store does not answer yet ({Error}); trying again in a second", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
