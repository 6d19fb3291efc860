namespace AppHost;

/// <summary>The pieces of the wiring diagram that more than one resource shares.</summary>
public static class AnalyticsResourceExtensions
{
    /// <summary>A secret parameter, generated at each start unless configured (<c>Parameters__NAME=...</c>).</summary>
    public static IResourceBuilder<ParameterResource> AddSecret(this IDistributedApplicationBuilder builder, string name, int length) =>
        builder.AddParameter(name, new GenerateParameterDefault { MinLength = length, Special = false }, secret: true);

    /// <summary>
    /// PostgreSQL with the <c>warehouse</c> and <c>runstore</c> databases (both <c>analytics</c>). Deployed (the
    /// manifest), it is Aspire's PostgreSQL container; run here, the machine's binaries, since no container engine may
    /// be there to run that image. Consumers see the same connection strings either way.
    /// </summary>
    public static AnalyticsPostgres AddAnalyticsPostgres(this IDistributedApplicationBuilder builder, string name, string home)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            var container = builder.AddPostgres(name);
            var database = container.AddDatabase("analytics");
            return new AnalyticsPostgres(container, database, database, container.AddDatabase("appdb"), null);
        }

        // The cluster the CLI uses too (same ANALYTICS_HOME), so 'analytics list' beside the running app sees its runs.
        var server = builder.AddLocalPostgres(name, home);
        var databaseName = Analytics.Postgres.Server.EmbeddedPostgres.Database;
        return new AnalyticsPostgres(server, server.AddDatabase("warehouse", databaseName), server.AddDatabase("runstore", databaseName),
            server.AddDatabase("appdb", "appdb"), server.Resource);
    }

    /// <summary>What the API and the workers share: an http endpoint with its health check, the databases, the data and assets folders.</summary>
    public static IResourceBuilder<ProjectResource> WithAnalyticsDefaults(this IResourceBuilder<ProjectResource> service, AnalyticsPostgres postgres, AppHostSettings settings) =>
        service
            .WithHttpEndpoint(name: "http")
            .WithHttpHealthCheck("/health")
            .WithReference(postgres.Warehouse, "warehouse")
            .WithReference(postgres.Runstore, "runstore")
            .WithReference(postgres.AppDb, "appdb") // the example's database sources (raw_users, raw_topups) read it
            .WithEnvironment("ANALYTICS_HOME", settings.Home)
            .WithEnvironment("ANALYTICS_ASSETS", settings.Assets)
            .WithEnvironment("Analytics__Worker__HeartbeatTimeout", settings.HeartbeatTimeout);

    /// <summary>The sample-data job's settings (<c>src/Analytics.Seed</c>): where it writes, how many users, what it materializes.</summary>
    public static IResourceBuilder<ProjectResource> WithSampleDataSettings(this IResourceBuilder<ProjectResource> job, AppHostSettings settings) =>
        job
            // Beside the landing folder, not in it: the workers' sensor would ingest it too and start a second run.
            .WithEnvironment("Analytics__Seed__Folder", Path.Combine(settings.Home, "sample-data"))
            .WithEnvironment("ANALYTICS_ASSETS", settings.Assets) // raw_events' declaration: how the file is read
            .WithEnvironment("Analytics__Seed__Users", settings.SampleUsers)
            .WithEnvironment("Analytics__Seed__Selection", settings.SampleSelection)
            .WithEnvironment("Analytics__Seed__AppStartedAt", settings.StartedAtUnixMilliseconds);
}
