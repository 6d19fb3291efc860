using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AppHost.Resources;

/// <summary>
/// A .NET service of this repository, started as <c>dotnet Service.dll</c> once per replica on a free port, with
/// the environment Aspire would give it; ready when its <c>/health</c> answers.
/// </summary>
public sealed class ProjectResource(string name, string projectDirectory) : Resource(name)
{
    private readonly List<Replica> _replicas = [];
    private AppRuntime? _runtime;
    private string? _dll;

    public int Replicas { get; set; } = 1;

    /// <summary>A one-time sign-in token; the resource table prints <c>URL/signin?token=...</c> for it.</summary>
    public ParameterResource? SignInToken { get; set; }

    public List<int> Ports { get; } = [];

    public override string? Url => Urls.FirstOrDefault();

    /// <summary>Every replica's address, in replica order.</summary>
    public IReadOnlyList<string> Urls => Ports.Select(port => $"http://127.0.0.1:{port}").ToList();

    public IReadOnlyList<int> ProcessIds => _replicas.Where(r => r.Process is not null).Select(r => r.Process!.Id).ToList();

    /// <summary>Each replica: its name, process, state, start time, restarts and last exit code.</summary>
    public IReadOnlyList<(string Name, int? ProcessId, string State, DateTimeOffset? StartedAt, int Restarts, int? ExitCode)> ReplicaStates()
    {
        lock (_replicas)
        {
            return _replicas.Select(r => (r.Name, r.Process is { HasExited: false } p ? p.Id : (int?)null, r.State, r.StartedAt, r.Restarts, r.ExitCode)).ToList();
        }
    }

    /// <summary>Kills one replica without warning, as a crash would (for tests of what survives it).</summary>
    public void KillReplica(int index) => _replicas[index].Process!.Kill(entireProcessTree: true);

    public override async Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        var assembly = Path.GetFileName(projectDirectory);
        var dll = Path.Combine(runtime.RepositoryRoot, projectDirectory, "bin", runtime.Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; run 'dotnet build -c {runtime.Configuration}' first (scripts/run does).");
        }

        (_runtime, _dll) = (runtime, dll);
        for (var i = 0; i < Replicas; i++)
        {
            var replica = new Replica(Replicas == 1 ? Name : $"{Name}-{i}", FreePort());
            _replicas.Add(replica);
            Ports.Add(replica.Port);
            Launch(replica);
        }

        await Task.WhenAll(_replicas.Select(r => WaitHealthyAsync(r.Port, r.Process!, cancellationToken)));
        MarkReady(Replicas == 1 ? "running" : $"running ({Replicas} replicas)");
    }

    /// <summary>
    /// Stops, starts or restarts every replica, or the one at <paramref name="index"/>: what the dashboard's buttons do.
    /// A stop is SIGTERM (the host shuts down gracefully; a worker gives its run back), then a kill after 10 s.
    /// </summary>
    public async Task<string?> ActAsync(string action, int? index, CancellationToken cancellationToken)
    {
        if (_runtime is null)
        {
            return $"{Name} has not started yet";
        }

        if (index is { } i && (i < 0 || i >= _replicas.Count))
        {
            return $"{Name} has replicas 0 to {_replicas.Count - 1}, not {i}";
        }

        var chosen = index is { } one ? [_replicas[one]] : _replicas.ToList();
        foreach (var replica in chosen)
        {
            if (action is "stop" or "restart")
            {
                replica.StoppedByUser = true;
                await StopReplicaAsync(replica);
            }

            if (action is "start" or "restart" && replica.Process is not { HasExited: false })
            {
                replica.Restarts += replica.StartedAt is null ? 0 : 1;
                Launch(replica);
                await WaitHealthyAsync(replica.Port, replica.Process!, cancellationToken);
            }
        }

        State = _replicas.All(r => r.State == "running") ? (Replicas == 1 ? "running" : $"running ({Replicas} replicas)")
            : string.Join(", ", _replicas.Select(r => $"{r.Name} {r.State}"));
        return null;
    }

    private void Launch(Replica replica)
    {
        var runtime = _runtime!;
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(_dll!);
        foreach (var (key, value) in ResolvedEnvironment())
        {
            info.Environment[key] = value;
        }

        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{replica.Port}";
        info.Environment["ANALYTICS_ASSETS"] = Path.Combine(runtime.RepositoryRoot, "assets-sql");
        info.Environment.TryAdd("Analytics__Landing", runtime.LandingFolder); // unless the user set one
        foreach (var (key, value) in LogLevels(runtime.RequestLogs))
        {
            info.Environment.TryAdd(key, value);
        }

        info.Environment["OTEL_SERVICE_NAME"] = Name;
        info.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={replica.Name}";
        if (runtime.OtlpEndpoint is not null)
        {
            info.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = runtime.OtlpEndpoint;
            info.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            if (runtime.OtlpHeaders is not null)
            {
                info.Environment["OTEL_EXPORTER_OTLP_HEADERS"] = runtime.OtlpHeaders;
            }

            // Export every 5 s, so the dashboard's charts and traces follow the app closely.
            info.Environment["OTEL_METRIC_EXPORT_INTERVAL"] = "5000";
            info.Environment["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
            info.Environment["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var lastLines = new Queue<string>();
        void Output(string? line, bool error)
        {
            if (line is null)
            {
                return;
            }

            lock (lastLines)
            {
                lastLines.Enqueue(line);
                if (lastLines.Count > 20)
                {
                    lastLines.Dequeue();
                }
            }

            runtime.Log(Name, replica.Name, line, error);
        }

        process.OutputDataReceived += (_, e) => Output(e.Data, false);
        process.ErrorDataReceived += (_, e) => Output(e.Data, true);
        process.Exited += (_, _) =>
        {
            replica.ExitCode = process.ExitCode;
            replica.State = replica.StoppedByUser || runtime.Stopping ? "stopped" : $"exited ({process.ExitCode})";
            if (!runtime.Stopping && !replica.StoppedByUser)
            {
                State = $"{replica.Name} exited with code {process.ExitCode}";
                lock (lastLines)
                {
                    runtime.Log(Name, replica.Name, $"DIED: exit code {process.ExitCode}; its last lines:\n    {string.Join("\n    ", lastLines)}", true);
                }
            }
        };
        replica.StoppedByUser = false;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        replica.Process = process;
        replica.StartedAt = DateTimeOffset.UtcNow;
        replica.State = "running";
        replica.ExitCode = null;
    }

    public override async Task StopAsync()
    {
        await Task.WhenAll(_replicas.ToList().Select(StopReplicaAsync));
        State = "stopped";
    }

    private static async Task StopReplicaAsync(Replica replica)
    {
        if (replica.Process is not { } process)
        {
            return;
        }

        if (!process.HasExited)
        {
            // SIGTERM first: the host stops gracefully (a worker cancels its run); then no mercy.
            Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        replica.State = "stopped";
    }

    private sealed class Replica(string name, int port)
    {
        public string Name { get; } = name;

        public int Port { get; } = port;

        public Process? Process { get; set; }

        public string State { get; set; } = "starting";

        public DateTimeOffset? StartedAt { get; set; }

        public int Restarts { get; set; }

        public int? ExitCode { get; set; }

        public bool StoppedByUser { get; set; }
    }

    /// <summary>Warnings and errors from everyone, information from the engine (categories under <c>Analytics</c>), one line each.</summary>
    private static IEnumerable<(string, string)> LogLevels(bool requestLogs)
    {
        yield return ("Logging__LogLevel__Default", "Warning");
        yield return ("Logging__LogLevel__Analytics", "Information");
        // "Now listening on ...", "Application started": each replica's console says it came up, and where.
        yield return ("Logging__LogLevel__Microsoft.Hosting.Lifetime", "Information");
        yield return ("Logging__Console__FormatterName", "simple");
        yield return ("Logging__Console__FormatterOptions__SingleLine", "true");
        if (requestLogs)
        {
            yield return ("Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics", "Information");
            yield return ("Logging__LogLevel__Yarp.ReverseProxy.Forwarder", "Information");
        }
    }

    private async Task WaitHealthyAsync(int port, Process process, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with code {process.ExitCode} before it became healthy; see its log lines above.");
            }

            try
            {
                if ((await http.GetAsync($"http://127.0.0.1:{port}/health", cancellationToken)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow first answer; ask again.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"{Name} did not become healthy on port {port} within 90 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
