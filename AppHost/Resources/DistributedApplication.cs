using System.Runtime.InteropServices;
using Analytics.Dashboard;
using Microsoft.Extensions.Configuration;

namespace AppHost.Resources;

/// <summary>
/// Starts every resource once the resources it waits for are ready, prints where everything is, and on Ctrl+C or
/// SIGTERM stops everything in reverse order, leaving no process behind.
/// </summary>
public sealed class DistributedApplication(IReadOnlyList<Resource> resources, IConfiguration configuration)
{
    private readonly List<Resource> _started = [];

    public IReadOnlyList<Resource> Resources => resources;

    /// <summary>As Aspire spells it: <c>DistributedApplication.CreateBuilder(args)</c>.</summary>
    public static DistributedApplicationBuilder CreateBuilder(string[] args) => DistributedApplicationBuilder.CreateBuilder(args);

    public AppRuntime? Runtime { get; private set; }

    /// <summary>The local-dev dashboard (null when started with <c>--Dashboard=false</c>).</summary>
    public DashboardServer? Dashboard { get; private set; }

    public T Resource<T>(string name) where T : Resource => (T)resources.Single(r => r.Name == name);

    public async Task StartAsync(TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        var root = configuration["RepositoryRoot"] ?? FindRepositoryRoot();
        var home = configuration["ANALYTICS_HOME"] is { Length: > 0 } h ? h : Path.Combine(root, ".analytics", "apphost");
        Runtime = new AppRuntime(root, home, log ?? Console.Out, configuration["OTEL_EXPORTER_OTLP_ENDPOINT"], configuration["Configuration"] ?? "Release",
            configuration.GetValue("RequestLogs", false));
        var runtime = Runtime;
        if (configuration.GetValue("Dashboard", true))
        {
            // The services export to the dashboard; the user's OTEL_EXPORTER_OTLP_ENDPOINT, if any, gets a copy of everything.
            var user = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
            var forward = user is { Length: > 0 } && Uri.TryCreate(user, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri : null;
            if (user is { Length: > 0 } && forward is null)
            {
                runtime.Log("dashboard", $"OTEL_EXPORTER_OTLP_ENDPOINT is '{user}', which is no http(s) URL; nothing is forwarded. Set it like http://localhost:4318.");
            }

            Dashboard = new DashboardServer(new DashboardResourceControl(resources), new DashboardOptions
            {
                Port = configuration.GetValue("DashboardPort", 0),
                ForwardTo = forward,
                StaticFiles = Path.Combine(AppContext.BaseDirectory, "dashboard"),
            });
            runtime.OtlpEndpoint = Dashboard.OtlpEndpoint;
            runtime.OtlpHeaders = $"{DashboardServer.OtlpKeyHeader}={Dashboard.OtlpKey}";
            runtime.Console = Dashboard.Console.Add;
        }

        if (!runtime.LandingFolder.StartsWith("gs://", StringComparison.OrdinalIgnoreCase))
        {
            Directory.CreateDirectory(runtime.LandingFolder); // a gs:// landing zone is a bucket the user made
        }
        await Task.WhenAll(resources.Select(resource => StartOneAsync(resource, runtime, cancellationToken)));
    }

    private async Task StartOneAsync(Resource resource, AppRuntime runtime, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(resource.WaitsFor.Select(r => r.Ready));
        }
        catch
        {
            var failed = resource.WaitsFor.Where(r => r.Ready.IsFaulted).Select(r => r.Name);
            resource.MarkFailed($"not started: waits for {string.Join(", ", failed)}, which failed");
            return;
        }

        try
        {
            lock (_started)
            {
                _started.Add(resource);
            }

            await resource.StartAsync(runtime, cancellationToken);
        }
        catch (Exception e)
        {
            runtime.Log(resource.Name, $"failed to start: {e.Message}");
            resource.MarkFailed($"failed: {e.Message}", e);
        }
    }

    /// <summary>
    /// Starts, prints the resource table, and runs until Ctrl+C, SIGTERM or <paramref name="cancellationToken"/>.
    /// Returns the process exit code: 0 after a requested stop; 1 when a resource that others wait for failed to
    /// start (its cause was printed once, when it failed), after stopping what did start.
    /// </summary>
    public async Task<int> RunAsync(TextWriter? log = null, CancellationToken cancellationToken = default)
    {
        log ??= Console.Out;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        await StartAsync(log, stop.Token);
        log.WriteLine(ResourceTable());
        // The causes: resources that failed on their own (not for want of another) and that others wait for.
        var failed = resources.Where(r => r.Ready.IsFaulted && !r.WaitsFor.Any(w => w.Ready.IsFaulted)
                                          && resources.Any(other => other.WaitsFor.Contains(r))).ToList();
        if (failed.Count > 0 && !stop.IsCancellationRequested)
        {
            var waiting = resources.Where(r => r.WaitsFor.Intersect(failed).Any()).Select(r => r.Name);
            log.WriteLine($"Stopping: {string.Join(", ", failed.Select(r => r.Name))} failed to start (the cause is above), "
                          + $"and {string.Join(", ", waiting)} wait for it.");
            await StopAsync();
            return 1;
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            log.WriteLine("Stopping...");
        }

        await StopAsync();
        return 0;
    }

    public async Task StopAsync()
    {
        if (Runtime is not null)
        {
            Runtime.Stopping = true;
        }

        List<Resource> started;
        lock (_started)
        {
            started = [.. _started];
        }

        started.Reverse();
        foreach (var resource in started)
        {
            try
            {
                await resource.StopAsync();
            }
            catch (Exception e)
            {
                Runtime?.Log(resource.Name, $"failed to stop cleanly: {e.Message}");
            }
        }

        if (Dashboard is not null)
        {
            await Dashboard.DisposeAsync();
            Dashboard = null;
        }
    }

    /// <summary>Name, state and address of every resource, and the secrets a person needs (the API key).</summary>
    public string ResourceTable()
    {
        var width = Math.Max(16, resources.Max(r => r.Name.Length));
        var lines = new List<string> { $"{"resource".PadRight(width)} {"state",-44} url" };
        foreach (var resource in resources)
        {
            var url = resource switch
            {
                ParameterResource { Printed: true } p => p.Value,
                ParameterResource { Secret: true } => "********",
                _ => resource.Url ?? "",
            };
            lines.Add($"{resource.Name.PadRight(width)} {resource.State,-44} {url}");
        }

        foreach (var project in resources.OfType<ProjectResource>().Where(p => p.SignInToken is not null && p.Url is not null))
        {
            lines.Add($"Web UI: {project.Url}/   sign in for writes (one-time link): {project.Url}/signin?token={project.SignInToken!.Value}");
        }

        if (Dashboard is not null)
        {
            lines.Add($"Dashboard (resources, console, logs, traces, metrics; one-time link): {Dashboard.LoginUrl}");
        }

        if (Runtime is not null)
        {
            lines.Add($"Landing folder: {Runtime.LandingFolder}   a CSV dropped here is ingested and raw_events+ rebuilt");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("Run the AppHost from the repository (Analytics.sln not found above the current folder).");
    }
}
