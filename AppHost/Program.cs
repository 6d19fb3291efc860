using AppHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// The distributed app for local development, on Aspire: PostgreSQL, the catalog API, the workers, the gateway and
// Superset; the sample data and the Superset dashboard as jobs that run to completion. The Aspire dashboard shows
// every resource, its console, and the traces, logs and metrics every service exports to it.
LocalDevDefaults.Apply();
var builder = DistributedApplication.CreateBuilder(args);
var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
var home = Path.GetFullPath(builder.Configuration["ANALYTICS_HOME"] ?? Path.Combine(repository, ".analytics", "apphost"));
var assets = Path.GetFullPath(builder.Configuration["ANALYTICS_ASSETS"] ?? Path.Combine(repository, "assets-sql"));
var heartbeatTimeout = builder.Configuration["HeartbeatTimeout"] ?? "00:00:15";
var containers = ContainerRuntime.Probe(builder);

// Secrets: generated at each start unless given (Parameters__api-key=...).
var apiKey = builder.AddParameter("api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
var signInToken = builder.AddParameter("sign-in-token", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true);
var supersetAdmin = builder.AddParameter("superset-admin-password", new GenerateParameterDefault { MinLength = 20, Special = false }, secret: true);
var supersetSecret = builder.AddParameter("superset-secret", new GenerateParameterDefault { MinLength = 42, Special = false }, secret: true);

// Infrastructure. Deployed (the manifest), PostgreSQL is Aspire's container; run here, it is the machine's binaries,
// since no container engine may be there to run that image. Consumers see the same two connection strings.
IResourceBuilder<IResourceWithConnectionString> postgres, warehouse, runstore;
LocalPostgresResource? localPostgres = null;
if (builder.ExecutionContext.IsPublishMode)
{
    var server = builder.AddPostgres("postgres");
    var database = server.AddDatabase("analytics");
    (postgres, warehouse, runstore) = (server, database, database);
}
else
{
    var server = builder.AddLocalPostgres("postgres", home);
    localPostgres = server.Resource;
    (postgres, warehouse, runstore) = (server, server.AddDatabase("warehouse", "analytics"), server.AddDatabase("runstore", "analytics"));
}

// apache/superset:4.1.1 plus the PostgreSQL driver. Run here, it is on the host network so it reaches PostgreSQL on
// 127.0.0.1, at an address fixed now rather than taken from its endpoint: where it cannot start, that endpoint is
// never allocated, and whatever waited for it would hold up the whole start. Deployed, it is an ordinary container.
var superset = builder.AddDockerfile("superset", Path.Combine(repository, "superset"));
var supersetPort = builder.ExecutionContext.IsPublishMode ? 8088 : LocalDevDefaults.FreePort();
var supersetUrl = "http://127.0.0.1:" + supersetPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
if (builder.ExecutionContext.IsPublishMode)
{
    superset.WithHttpEndpoint(targetPort: supersetPort, name: "http");
}
else
{
    superset.WithHttpEndpoint(port: supersetPort, targetPort: supersetPort, name: "http", isProxied: false).WithContainerRuntimeArgs("--network=host");
}

superset
    .WithEnvironment("SUPERSET_PORT", supersetPort.ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WithEnvironment("SUPERSET_SECRET_KEY", supersetSecret)
    .WithEnvironment("SUPERSET_ADMIN_PASSWORD", supersetAdmin)
    .WithBindMount(Path.Combine(repository, "superset", "superset_config.py"), "/app/pythonpath/superset_config.py", isReadOnly: true)
    .WithEntrypoint("/bin/sh")
    .WithArgs("-c", "superset db upgrade && (superset fab create-admin --username admin --firstname Analytics --lastname Admin "
                    + "--email admin@localhost --password \"$SUPERSET_ADMIN_PASSWORD\" || true) && superset init && /usr/bin/run-server.sh")
    .WithHttpHealthCheck("/health");

// Services
var api = builder.AddProject<Projects.Analytics_Api>("api", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(warehouse, "warehouse")
    .WithReference(runstore, "runstore")
    .WithEnvironment("Analytics__ApiKey", apiKey)
    .WithEnvironment("Analytics__SignInToken", signInToken)
    .WithEnvironment("ANALYTICS_HOME", home)
    .WithEnvironment("ANALYTICS_ASSETS", assets)
    .WithEnvironment("Analytics__InProcessWorker", "false")
    .WithEnvironment("Analytics__Worker__HeartbeatTimeout", heartbeatTimeout)
    .WaitFor(postgres);
api.WithMaterializeCommands(apiKey);

var worker = builder.AddProject<Projects.Analytics_Worker>("worker", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReplicas(builder.Configuration.GetValue("Workers", 2))
    .WithReference(warehouse, "warehouse")
    .WithReference(runstore, "runstore")
    .WithEnvironment("ANALYTICS_HOME", home)
    .WithEnvironment("ANALYTICS_ASSETS", assets)
    .WithEnvironment("Analytics__Worker__Schedules", "true") // assets-sql/schedules.yml: each tick fires once across replicas
    .WithEnvironment("Analytics__Worker__Sensor", "true") // the landing folder: one replica sweeps at a time
    .WithEnvironment("Analytics__Landing", builder.Configuration["Analytics:Landing"] ?? Path.Combine(home, "landing")) // or gs://bucket/prefix
    .WithEnvironment("Analytics__Worker__Alerts", "true") // assets-sql/alerts.yml to SLACK_WEBHOOK_URL / Analytics__Alerts__Smtp__*
    .WithEnvironment("Analytics__Worker__HeartbeatTimeout", heartbeatTimeout)
    .WaitFor(api);

var gateway = builder.AddProject<Projects.Analytics_Gateway>("gateway", launchProfileName: null)
    .WithHttpEndpoint(name: "http")
    .WithHttpHealthCheck("/health")
    .WithReference(api)
    .WaitFor(api)
    .WithWebUiLinks();
// Links in alerts open the web UI, through the gateway.
worker.WithEnvironment("Analytics__Alerts__BaseUrl", gateway.GetEndpoint("http"));
// /superset redirects there (superset_config.py says why it is not proxied); without an engine it says so instead.
if (builder.ExecutionContext.IsPublishMode)
{
    gateway.WithEnvironment("Superset__Url", superset.GetEndpoint("http"));
}
else if (containers.Available)
{
    gateway.WithEnvironment("Superset__Url", supersetUrl);
}

// Jobs
var sampleData = builder.AddProject<Projects.Analytics_Seed>("sample-data", launchProfileName: null)
    .WithReference(warehouse, "warehouse")
    .WithReference(gateway)
    .WithEnvironment("Analytics__ApiKey", apiKey)
    .WithEnvironment("Analytics__Seed__Folder", Path.Combine(home, "sample-data"))
    .WithEnvironment("Analytics__Seed__Users", builder.Configuration["SampleUsers"] ?? "5000")
    .WithEnvironment("Analytics__Seed__Selection", builder.Configuration["SampleSelection"] ?? "*")
    .WithEnvironment("Analytics__Seed__AppStartedAt", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture))
    .WaitFor(worker)
    .WaitFor(gateway)
    .ExcludeFromManifest();

// The same command a person runs (README, "Superset"): analytics superset publish.
var publish = builder.AddProject<Projects.Analytics_Cli>("superset-publish", launchProfileName: null)
    .WithArgs("superset", "publish", "--url", supersetUrl, "--database-uri", SupersetDatabaseUri.For(warehouse.Resource))
    .WithReference(warehouse, "warehouse")
    .WithEnvironment("ANALYTICS_ASSETS", assets)
    .WithEnvironment("SUPERSET_USERNAME", "admin")
    .WithEnvironment("SUPERSET_PASSWORD", supersetAdmin)
    .WaitFor(superset)
    .WaitForCompletion(sampleData)
    .ExcludeFromManifest();
if (!containers.Available)
{
    // Waiting for a container that cannot start would hold up the whole start (Aspire creates every resource, its
    // waits included, before the app counts as started): the job is left for a person to start instead.
    publish.WithExplicitStart();
}

ConsoleSummary.Start(builder, signInToken.Resource, containers);

try
{
    await builder.Build().RunAsync();
}
finally
{
    // Also when the start itself failed, which never reaches the host's "stopped".
    await (localPostgres?.StopAsync() ?? Task.CompletedTask);
}

return Environment.ExitCode;
