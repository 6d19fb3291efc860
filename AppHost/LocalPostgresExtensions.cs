using Analytics.Postgres.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AppHost;

public static class LocalPostgresExtensions
{
    private const string HealthCheckName = "postgres-accepts-connections";

    /// <summary>
    /// The machine's PostgreSQL as a resource. It starts with the app; if it cannot, the cause is logged once and
    /// the AppHost stops with exit code 1 rather than leaving everything waiting for it.
    /// </summary>
    public static IResourceBuilder<LocalPostgresResource> AddLocalPostgres(this IDistributedApplicationBuilder builder, string name, string home)
    {
        var external = builder.Configuration.GetConnectionString(name);
        // The cluster of this home, where the CLI looks for it too (EmbeddedPostgres.ClusterFolder).
        var resource = new LocalPostgresResource(name, EmbeddedPostgres.ClusterFolder(home), string.IsNullOrWhiteSpace(external) ? null : external);
        builder.Services.AddHealthChecks().AddAsyncCheck(HealthCheckName, cancellationToken => CheckAsync(resource, cancellationToken));
        // Stopped once everything else has (the services hand their runs back through it while they stop).
        builder.Services.AddSingleton<IHostedService>(new StopWhenStopped(resource));
        builder.Eventing.Subscribe<InitializeResourceEvent>(resource, (e, cancellationToken) =>
        {
            // Not awaited: the orchestrator goes on initializing the other resources meanwhile.
            _ = StartAsync(resource, e, cancellationToken);
            return Task.CompletedTask;
        });
        return builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgreSQL",
                State = KnownResourceStates.NotStarted,
                Properties = [new("postgres.source", resource.External is null ? "the machine's binaries" : "ConnectionStrings:postgres")],
            })
            .WithHealthCheck(HealthCheckName)
            .ExcludeFromManifest();
    }

    public static IResourceBuilder<LocalPostgresDatabaseResource> AddDatabase(this IResourceBuilder<LocalPostgresResource> server, string name, string databaseName)
    {
        var database = new LocalPostgresDatabaseResource(name, databaseName, server.Resource);
        server.Resource.Databases.Add(database);
        return server.ApplicationBuilder.AddResource(database)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "PostgreSQL database",
                State = KnownResourceStates.Waiting,
                Properties = [new("postgres.database", databaseName)],
            })
            .WithParentRelationship(server.Resource)
            .ExcludeFromManifest();
    }

    private static async Task StartAsync(LocalPostgresResource resource, InitializeResourceEvent e, CancellationToken cancellationToken)
    {
        var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
        var console = e.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AppHost.postgres");
        try
        {
            await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.Starting });
            string connectionString;
            if (resource.External is { } external)
            {
                connectionString = external;
            }
            else
            {
                resource.Embedded = await EmbeddedPostgres.StartAsync(resource.Home, cancellationToken: cancellationToken);
                connectionString = resource.Embedded.ConnectionString();
                if (!resource.Embedded.DataDirectory.StartsWith(resource.Home, StringComparison.Ordinal))
                {
                    e.Logger.LogInformation("Data kept in {Folder}: the postgres user cannot reach {Home} (see {File})", resource.Embedded.DataDirectory,
                        resource.Home, Path.Combine(resource.Home, EmbeddedPostgres.LocationFile));
                }
            }

            await PostgresDatabases.EnsureAsync(connectionString, resource.Databases.Select(d => d.DatabaseName), cancellationToken);
            resource.SetConnectionString(connectionString);
            var address = new NpgsqlConnectionStringBuilder(connectionString);
            e.Logger.LogInformation("PostgreSQL accepts connections on {Host}:{Port}", address.Host, address.Port);
            await e.Eventing.PublishAsync(new ConnectionStringAvailableEvent(resource, e.Services), cancellationToken);
            await e.Notifications.PublishUpdateAsync(resource, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
                Properties = [.. s.Properties, new("postgres.address", $"{address.Host}:{address.Port}"),
                    new("postgres.data", resource.Embedded?.DataDirectory ?? "(external server)")],
            });
            foreach (var database in resource.Databases)
            {
                await e.Eventing.PublishAsync(new ConnectionStringAvailableEvent(database, e.Services), cancellationToken);
                await e.Notifications.PublishUpdateAsync(database, s => s with { State = KnownResourceStates.Running, StartTimeStamp = DateTime.UtcNow });
            }
        }
        catch (Exception cause) when (!cancellationToken.IsCancellationRequested)
        {
            resource.Fail(cause);
            var reason = cause is PostgresNotInstalledException or NpgsqlException ? cause.Message : cause.ToString();
            e.Logger.LogError("PostgreSQL failed to start: {Reason}", reason);
            // Printed once, on the AppHost's console: everything else waits for this resource, so the app stops.
            console.LogCritical("postgres failed to start: {Reason}. Stopping: everything else waits for it.", reason);
            await e.Notifications.PublishUpdateAsync(resource, s => s with { State = KnownResourceStates.FailedToStart, StopTimeStamp = DateTime.UtcNow });
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    /// <summary>Healthy while the server answers a query; otherwise the reason, which the dashboard shows.</summary>
    private static async Task<HealthCheckResult> CheckAsync(LocalPostgresResource resource, CancellationToken cancellationToken)
    {
        if (!resource.ConnectionStringTask.IsCompletedSuccessfully)
        {
            return HealthCheckResult.Unhealthy(resource.ConnectionStringTask.IsFaulted
                ? $"did not start: {resource.ConnectionStringTask.Exception!.InnerException!.Message}"
                : "starting");
        }

        var address = new NpgsqlConnectionStringBuilder(resource.ConnectionStringTask.Result) { Timeout = 3, Pooling = false };
        try
        {
            await using var connection = new NpgsqlConnection(address.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var query = new NpgsqlCommand("select count(*) from pg_stat_activity", connection);
            var sessions = await query.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy($"accepting connections on {address.Host}:{address.Port} ({sessions} sessions)");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            return HealthCheckResult.Unhealthy($"no answer on {address.Host}:{address.Port}: {e.Message}");
        }
    }

    /// <summary>Stops the server after every hosted service (the orchestrator that stops the services among them) has stopped.</summary>
    private sealed class StopWhenStopped(LocalPostgresResource resource) : IHostedLifecycleService
    {
        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => resource.StopAsync();
    }
}
