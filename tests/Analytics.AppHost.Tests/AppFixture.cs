using System.Net.Http.Json;
using System.Text.Json;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Analytics.AppHost.Tests;

/// <summary>
/// The whole app, started once for the collection by Aspire.Hosting.Testing from the real AppHost (PostgreSQL from
/// the machine's binaries, the API, two workers, the gateway, the sample-data job), healthy by Aspire's own
/// notifications. Its assets are the repository's plus two probes in core (so "Materialize the marts" leaves them
/// out): <c>probe_broken</c>, which always fails, and <c>probe_downstream</c> on top of it; the sample run and the
/// schedules leave them out too.
/// </summary>
public sealed class AppFixture : IAsyncLifetime
{
    public const string ApiKey = "apphost-test-key";
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly string _home = Path.Combine(Path.GetTempPath(), $"analytics-aspire-{Guid.NewGuid():N}");

    /// <summary>The app's ANALYTICS_HOME (its data folder), which the CLI shares.</summary>
    public string Home => _home;

    /// <summary>The assets folder the app was started with.</summary>
    public string Assets => Path.Combine(_home, "assets-sql");

    public DistributedApplication App { get; private set; } = null!;

    public HttpClient Gateway { get; private set; } = null!;

    public OtlpReceiver Otlp { get; } = new();

    public async Task InitializeAsync()
    {
        var assets = Path.Combine(_home, "assets-sql");
        CopyFolder(TestFiles.RepositoryAssets, assets);
        File.WriteAllText(Path.Combine(assets, "schedules.yml"), File.ReadAllText(Path.Combine(assets, "schedules.yml"))
            .Replace("selection: \"*\"", "selection: \"* and not tag:probe\"").Replace("selection: layer:marts", "selection: \"layer:marts and not tag:probe\""));
        File.WriteAllText(Path.Combine(assets, "core", "probe_broken.sql"), """
            /*
            description: Fails on purpose, for the whole-app tests (division by zero).
            materialization: table
            tags: [probe]
            */
            select user_id, 1 / (count(*) - count(*)) as boom from {{ ref('fct_events') }} group by user_id
            """);
        File.WriteAllText(Path.Combine(assets, "core", "probe_downstream.sql"), """
            /*
            description: Downstream of probe_broken, so never built.
            materialization: table
            tags: [probe]
            */
            select * from {{ ref('probe_broken') }}
            """);

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([
            $"--ANALYTICS_HOME={_home}", $"--ANALYTICS_ASSETS={assets}", "--Workers=2", "--SampleUsers=300",
            "--SampleSelection=* and not tag:probe", $"--Parameters:api-key={ApiKey}",
        ]);
        builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        // The testing builder insists on a healthy container runtime by default; with none here, Superset just stays unstarted.
        builder.Configuration["DcpPublisher:ContainerRuntimeInitializationTimeout"] = "00:00:00";
        // The dashboard is off under test: the services export to a receiver the tests read instead.
        foreach (var project in builder.Resources.OfType<ProjectResource>().ToList())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", Otlp.Endpoint)
                .WithEnvironment("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .WithEnvironment("OTEL_BSP_SCHEDULE_DELAY", "1000");
        }

        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var name in new[] { "postgres", "api", "worker", "gateway" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
        }

        await App.ResourceNotifications.WaitForResourceAsync("sample-data", KnownResourceStates.TerminalStates, timeout.Token);
        Gateway = App.CreateHttpClient("gateway", "http");
        Gateway.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        await Otlp.DisposeAsync();
        Postgres.Server.EmbeddedPostgres.Delete(Path.Combine(_home, "postgres"));
        if (Directory.Exists(_home))
        {
            Directory.Delete(_home, recursive: true);
        }
    }

    /// <summary>The current snapshot of a resource (of one of its replicas, for one with several).</summary>
    public async Task<CustomResourceSnapshot> SnapshotAsync(string name)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return (await App.ResourceNotifications.WaitForResourceAsync(name, _ => true, timeout.Token)).Snapshot;
    }

    public async Task<string> QueueAsync(string selection)
    {
        using var response = await Gateway.PostAsJsonAsync("/api/runs", new { selection });
        Assert.Equal(202, (int)response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
    }

    public async Task<JsonElement> WaitForRunAsync(string runId)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var run = await Gateway.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}");
            if (run.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled" || DateTime.UtcNow > deadline)
            {
                return run;
            }

            await Task.Delay(250);
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "the whole app";
}
