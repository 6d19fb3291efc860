using AppHost.Resources;
using Microsoft.Extensions.Configuration;

return await Program.BuildApp(args).RunAsync();

public static partial class Program
{
    /// <summary>The wiring diagram of the distributed app; the integration tests start this same composition.</summary>
    public static DistributedApplication BuildApp(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(args);

        // Infrastructure
        var postgres = builder.AddPostgres("postgres");
        var warehouse = postgres.AddDatabase("warehouse", "analytics");
        var runstore = postgres.AddDatabase("runstore", "analytics");
        var apiKey = builder.AddParameter("api-key", secret: true).PrintValue();
        var signInToken = builder.AddParameter("sign-in-token", secret: true);
        // apache/superset:4.1.1 plus the PostgreSQL driver (superset/Dockerfile), on the host network so it reaches the
        // embedded PostgreSQL on 127.0.0.1; an admin with a generated password; then the Growth dashboard is published.
        var supersetAdmin = builder.AddParameter("superset-admin-password", secret: true);
        var superset = builder.AddContainer("superset", "analytics-superset", "4.1.1")
            .WithDockerfile("superset")
            .WithHttpEndpoint(targetPort: 8088)
            .WithHostNetwork("SUPERSET_PORT")
            .WithHttpHealthCheck("/health")
            .WithEnvironment("SUPERSET_SECRET_KEY", builder.AddParameter("superset-secret", secret: true))
            .WithEnvironment("SUPERSET_ADMIN_PASSWORD", supersetAdmin)
            .WithBindMount("superset/superset_config.py", "/app/pythonpath/superset_config.py")
            .WithInitCommand("superset db upgrade && (superset fab create-admin --username admin --firstname Analytics --lastname Admin "
                             + "--email admin@localhost --password \"$SUPERSET_ADMIN_PASSWORD\" || true) && superset init");

        // Services
        var api = builder.AddProject("api", "src/Analytics.Api")
            .WithReference(warehouse)
            .WithReference(runstore)
            .WithEnvironment("Analytics__ApiKey", apiKey)
            .WithEnvironment("Analytics__SignInToken", signInToken)
            .WithEnvironment("Analytics__InProcessWorker", "false")
            .WithEnvironment("Analytics__Worker__HeartbeatTimeout", builder.Configuration["HeartbeatTimeout"] ?? "00:00:15")
            .WaitFor(postgres);
        var worker = builder.AddProject("worker", "src/Analytics.Worker")
            .WithReplicas(builder.Configuration.GetValue("Workers", 2))
            .WithEnvironment("Analytics__Worker__Schedules", "true") // assets-sql/schedules.yml: each tick fires once across replicas
            .WithEnvironment("Analytics__Worker__Sensor", "true") // the landing folder: one replica sweeps at a time
            .WithEnvironment("Analytics__Worker__Alerts", "true") // assets-sql/alerts.yml to SLACK_WEBHOOK_URL / Analytics__Alerts__Smtp__*
            .WithEnvironment("Analytics__Alerts__BaseUrl", () => api.Resource.Url) // links in alerts open the web UI
            .WithEnvironment("Analytics__Worker__HeartbeatTimeout", builder.Configuration["HeartbeatTimeout"] ?? "00:00:15")
            .WithReference(warehouse)
            .WithReference(runstore)
            .WaitFor(api);
        var gateway = builder.AddProject("gateway", "src/Analytics.Gateway")
            .WithReference(api)
            .WithProxyRoute("/api/{**rest}", api)
            .WithProxyRoute("/openapi/{**rest}", api)
            .WithProxyRoute("/{**rest}", api) // the web UI's pages and files, and /signin
            .WithEnvironment("Superset__Url", () => superset.Resource.Url) // /superset redirects there (superset_config.py says why)
            .WaitFor(superset)
            .WithSignInLink(signInToken)
            .WaitFor(api);

        // Jobs
        var sampleData = builder.AddSampleData("sample-data", warehouse, gateway, apiKey)
            .WaitFor(worker)
            .WaitFor(gateway);
        builder.AddSupersetPublish("superset-publish", superset, warehouse, supersetAdmin, sampleData);

        return builder.Build();
    }
}
