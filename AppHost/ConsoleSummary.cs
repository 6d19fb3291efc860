using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace AppHost;

/// <summary>
/// The AppHost's console, for the person who ran <c>scripts/run</c>: Aspire prints the dashboard's login link; this
/// adds whether containers can run, the gateway's address with the web UI's one-time sign-in link once it is
/// healthy, the sample-data job's lines, and any service that dies, with its exit code and last lines. Everything
/// else (each resource's console, traces, logs, metrics) is on the dashboard.
/// </summary>
public sealed partial class ConsoleSummary(IServiceProvider services, ParameterResource signInToken, ContainerRuntime containers)
{
    private const int TailLines = 8;
    private static readonly string[] Echoed = ["sample-data", "superset-publish"];
    private readonly ConcurrentDictionary<string, Queue<string>> _tails = new();
    private readonly HashSet<string> _watched = [];
    private readonly Dictionary<string, string> _states = [];
    private bool _gatewayPrinted;

    /// <summary>Starts watching before the resources are created (the host's own start waits for all of them).</summary>
    public static void Start(IDistributedApplicationBuilder builder, ParameterResource signInToken, ContainerRuntime containers) =>
        builder.Eventing.Subscribe<BeforeStartEvent>((e, cancellationToken) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            _ = new ConsoleSummary(e.Services, signInToken, containers).WatchAsync(lifetime, lifetime.ApplicationStopped);
            return Task.CompletedTask;
        });

    private async Task WatchAsync(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        Console.WriteLine(containers.Available
            ? $"containers  {containers.Description}: superset starts"
            : $"containers  none: {containers.Description}; superset cannot start and only superset-publish waits for it");
        try
        {
            await foreach (var e in notifications.WatchAsync(stoppingToken))
            {
                if (e.Resource is ProjectResource && _watched.Add(e.ResourceId))
                {
                    _ = WatchLogsAsync(e.Resource.Name, e.ResourceId, stoppingToken);
                }

                await OnStateAsync(e, lifetime.ApplicationStopping.IsCancellationRequested, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task OnStateAsync(ResourceEvent e, bool stopping, CancellationToken cancellationToken)
    {
        var snapshot = e.Snapshot;
        if (!_gatewayPrinted && e.Resource.Name == "gateway" && snapshot.HealthStatus == HealthStatus.Healthy
            && snapshot.Urls.FirstOrDefault(u => u.Name == "http" && !u.IsInternal) is { } url && Uri.TryCreate(url.Url, UriKind.Absolute, out var address))
        {
            _gatewayPrinted = true;
            var origin = $"http://127.0.0.1:{address.Port}";
            var token = await signInToken.GetValueAsync(cancellationToken);
            Console.WriteLine($"gateway  {origin}   sign in for writes (one-time link): {origin}/signin?token={token}");
        }

        var state = snapshot.State?.Text;
        if (state is null || (_states.TryGetValue(e.ResourceId, out var before) && before == state))
        {
            return;
        }

        _states[e.ResourceId] = state;
        if (stopping)
        {
            return;
        }

        if (state == KnownResourceStates.FailedToStart && e.Resource is not LocalPostgresResource) // which says why itself
        {
            Console.WriteLine($"[{e.ResourceId}] failed to start{Tail(e.ResourceId)}");
        }
        else if ((state == KnownResourceStates.Exited || state == KnownResourceStates.Finished) && snapshot.ExitCode is { } code && (code != 0 || !Echoed.Contains(e.Resource.Name)))
        {
            Console.WriteLine($"[{e.ResourceId}] exited with code {code}{(Echoed.Contains(e.Resource.Name) ? "" : Tail(e.ResourceId))}");
        }
    }

    private string Tail(string resourceId) =>
        _tails.TryGetValue(resourceId, out var tail) && tail.Count > 0
            ? "; its last lines:\n" + string.Join("\n", tail.ToArray().Select(l => "    " + l))
            : "";

    private async Task WatchLogsAsync(string name, string resourceId, CancellationToken cancellationToken)
    {
        var logs = services.GetRequiredService<ResourceLoggerService>();
        var tail = _tails.GetOrAdd(resourceId, _ => new Queue<string>());
        var started = false;
        try
        {
            await foreach (var batch in logs.WatchAsync(resourceId).WithCancellation(cancellationToken))
            {
                foreach (var line in batch)
                {
                    var text = Timestamp().Replace(line.Content, "");
                    lock (tail)
                    {
                        tail.Enqueue(text);
                        while (tail.Count > TailLines)
                        {
                            tail.Dequeue();
                        }
                    }

                    // Before its process starts, a resource's log holds the AppHost's own lines (waiting for X, ...).
                    if (text.StartsWith("[sys] Starting process", StringComparison.Ordinal))
                    {
                        started = true;
                    }
                    else if (started && Echoed.Contains(name) && !text.StartsWith("[sys]", StringComparison.Ordinal))
                    {
                        Console.WriteLine($"[{name}] {text}");
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z? ")]
    private static partial Regex Timestamp();
}
