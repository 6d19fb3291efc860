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
    private readonly List<(Process Process, string Name)> _replicas = [];

    public int Replicas { get; set; } = 1;

    /// <summary>A one-time sign-in token; the resource table prints <c>URL/signin?token=...</c> for it.</summary>
    public ParameterResource? SignInToken { get; set; }

    public List<int> Ports { get; } = [];

    public override string? Url => Urls.FirstOrDefault();

    /// <summary>Every replica's address, in replica order.</summary>
    public IReadOnlyList<string> Urls => Ports.Select(port => $"http://127.0.0.1:{port}").ToList();

    public IReadOnlyList<int> ProcessIds => _replicas.Select(r => r.Process.Id).ToList();

    /// <summary>Kills one replica without warning, as a crash would (for tests of what survives it).</summary>
    public void KillReplica(int index) => _replicas[index].Process.Kill(entireProcessTree: true);

    public override async Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        var assembly = Path.GetFileName(projectDirectory);
        var dll = Path.Combine(runtime.RepositoryRoot, projectDirectory, "bin", runtime.Configuration, "net10.0", assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built; run 'dotnet build -c {runtime.Configuration}' first (scripts/run does).");
        }

        for (var i = 0; i < Replicas; i++)
        {
            var port = FreePort();
            var replica = Replicas == 1 ? Name : $"{Name}-{i}";
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(dll);
            foreach (var (key, value) in ResolvedEnvironment())
            {
                info.Environment[key] = value;
            }

            info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            info.Environment["ANALYTICS_ASSETS"] = Path.Combine(runtime.RepositoryRoot, "assets-sql");
            info.Environment.TryAdd("Analytics__Landing", runtime.LandingFolder); // unless the user set one
            foreach (var (key, value) in LogLevels(runtime.RequestLogs))
            {
                info.Environment.TryAdd(key, value);
            }

            info.Environment["OTEL_SERVICE_NAME"] = Name;
            info.Environment["OTEL_RESOURCE_ATTRIBUTES"] = $"service.instance.id={replica}";
            if (runtime.OtlpEndpoint is not null)
            {
                info.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = runtime.OtlpEndpoint;
                info.Environment["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
            }

            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            var lastLines = new Queue<string>();
            void Output(string? line)
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

                runtime.Log(replica, line);
            }

            process.OutputDataReceived += (_, e) => Output(e.Data);
            process.ErrorDataReceived += (_, e) => Output(e.Data);
            process.Exited += (_, _) =>
            {
                if (!runtime.Stopping)
                {
                    State = $"{replica} exited with code {process.ExitCode}";
                    lock (lastLines)
                    {
                        runtime.Log(replica, $"DIED: exit code {process.ExitCode}; its last lines:\n    {string.Join("\n    ", lastLines)}");
                    }
                }
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _replicas.Add((process, replica));
            Ports.Add(port);
        }

        await Task.WhenAll(Ports.Select((port, i) => WaitHealthyAsync(port, _replicas[i].Process, cancellationToken)));
        MarkReady(Replicas == 1 ? "running" : $"running ({Replicas} replicas)");
    }

    public override async Task StopAsync()
    {
        foreach (var (process, _) in _replicas.Where(r => !r.Process.HasExited))
        {
            // SIGTERM first: the host stops gracefully (a worker cancels its run); then no mercy.
            Process.Start("kill", ["-TERM", process.Id.ToString()])?.WaitForExit();
        }

        foreach (var (process, _) in _replicas)
        {
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
        }

        State = "stopped";
    }

    /// <summary>Warnings and errors from everyone, information from the engine (categories under <c>Analytics</c>), one line each.</summary>
    private static IEnumerable<(string, string)> LogLevels(bool requestLogs)
    {
        yield return ("Logging__LogLevel__Default", "Warning");
        yield return ("Logging__LogLevel__Analytics", "Information");
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
