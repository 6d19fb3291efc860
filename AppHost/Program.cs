using AppHost;
using Microsoft.Extensions.Configuration;

// The distributed app for local development, on Aspire: infrastructure, then services, then jobs that run to
// completion. The Aspire dashboard shows every resource, its console, and the telemetry each service exports to it.
LocalDevDefaults.Apply();
var builder = DistributedApplication.CreateBuilder(args);
var settings = AppHostSettings.From(builder);
var containers = ContainerRuntime.Probe(builder);

// Infrastructure
var apiKey = builder.AddSecret("api-key", length: 32);
var signInToken = builder.AddSecret("sign-in-token", length: 32);
var supersetAdmin = builder.AddSecret("superset-admin-password", length: 20);
var postgres = builder.AddAnalyticsPostgres("postgres", settings.Home);
var superset = builder.AddSuperset("superset", settings.Repository, supersetAdmin, builder.AddSecret("superset-secret", length: 42));

// Services
var api = builder.AddProject<Projects.Analytics_Api>("api", launchProfileName: null)
    .WithAnalyticsDefaults(postgres, settings)
    .WithEnvironment("Analytics__ApiKey", apiKey)
    .WithEnvironment("Analytics__SignInToken", signInToken)
    .WithEnvironment("Analytics__InProcessWorker", "false")
    .WithMaterializeCommands(apiKey)
    .WaitFor(postgres.Server);

var worker = builder.AddProject<Projects.Analytics_Worker>("worker", launchProfileName: null)
    .WithAnalyticsDefaults(postgres, settings)
    .WithReplicas(settings.Workers)
    .WithEnvironment("Analytics__Worker__Schedules", "true") // assets-sql/schedules.yml: each tick fires once across replicas
    .WithEnvironment("Analytics__Worker__Sensor", "true") // the landing folder (or gs://bucket/prefix): one replica sweeps at a time
    .WithEnvironment("Analytics__Landing", settings.Landing)
    .WithEnvironment("Analytics__Worker__Alerts", "true") // assets-sql/alerts.yml to SLACK_WEBHOOK_URL / Analytics__Alerts__Smtp__*
    .WithEnvironment("Analytics__Worker__Retention", "true") // sources' declared retention, hourly
    .WaitFor(api);

var gateway = builder.AddProject<Projects.Analytics_Gateway>("gateway", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(api)
    .WithSupersetRedirect(superset, containers)
    .WithWebUiLinks()
    .WaitFor(api);
worker.WithEnvironment("Analytics__Alerts__BaseUrl", gateway.GetEndpoint("http")); // links in alerts open the web UI

// Jobs
builder.AddProject<Projects.Analytics_Cli>("app-simulator", launchProfileName: null) // the rewards app writing to appdb
    .WithArgs("simulate-app")
    .WithReference(postgres.AppDb, "appdb")
    .WaitFor(postgres.Server)
    .ExcludeFromManifest();

var sampleData = builder.AddProject<Projects.Analytics_Seed>("sample-data", launchProfileName: null)
    .WithReference(postgres.Warehouse, "warehouse")
    .WithReference(gateway)
    .WithEnvironment("Analytics__ApiKey", apiKey)
    .WithSampleDataSettings(settings)
    .WaitFor(worker)
    .WaitFor(gateway)
    .ExcludeFromManifest();

builder.AddProject<Projects.Analytics_Cli>("superset-publish", launchProfileName: null) // analytics superset publish, as a person runs it
    .WithSupersetPublish(superset, postgres.Warehouse, supersetAdmin, builder.AddSecret("superset-reader-password", length: 24), settings, containers)
    .WaitForCompletion(sampleData)
    .ExcludeFromManifest();

ConsoleSummary.Start(builder, signInToken.Resource, containers);

try
{
    await builder.Build().RunAsync();
}
finally
{
    await postgres.StopAsync(); // also when the start itself failed, which never reaches the host's "stopped"
}

return Environment.ExitCode;
