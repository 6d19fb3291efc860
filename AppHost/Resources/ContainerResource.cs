using System.Diagnostics;

namespace AppHost.Resources;

/// <summary>
/// A container (pinned image, port, environment, bind mounts, init command). When no container engine answers,
/// it is marked "not started: no container engine" and the rest of the app runs without it.
/// </summary>
public sealed class ContainerResource(string name, string image, string tag) : Resource(name)
{
    private string? _containerId;

    public string Image => $"{image}:{tag}";

    public int? TargetPort { get; set; }

    public int? HostPort { get; private set; }

    public List<(string Source, string Target)> BindMounts { get; } = [];

    public string? InitCommand { get; set; }

    /// <summary>A folder (repository-relative) with a Dockerfile: the image is built from it, tagged <see cref="Image"/>, before the run.</summary>
    public string? DockerfileContext { get; set; }

    /// <summary>
    /// Runs on the host's network (Linux), so the container reaches services bound to 127.0.0.1 (the embedded
    /// PostgreSQL); the container is then told its port in <see cref="PortVariable"/>.
    /// </summary>
    public string? PortVariable { get; set; }

    /// <summary>When set, the container is ready only once GET of this path answers 2xx (polled for up to 5 minutes).</summary>
    public string? HealthPath { get; set; }

    public bool Started => _containerId is not null;

    public override string? Url => HostPort is { } port ? $"http://127.0.0.1:{port}" : null;

    public override async Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        if (!await EngineAnswersAsync(cancellationToken))
        {
            MarkReady("not started: no container engine");
            return;
        }

        if (DockerfileContext is not null)
        {
            runtime.Log(Name, $"building {Image} from {DockerfileContext}/Dockerfile");
            var (built, buildOutput) = await RunAsync("docker", ["build", "-q", "-t", Image, Path.Combine(runtime.RepositoryRoot, DockerfileContext)], cancellationToken);
            if (built != 0)
            {
                MarkReady($"not started: docker build failed ({buildOutput.Trim()})");
                return;
            }
        }

        HostPort = TargetPort is null ? null : Random.Shared.Next(20000, 30000);
        var args = new List<string> { "run", "-d", "--rm", "--name", $"analytics-{Name}-{System.Environment.ProcessId}" };
        if (PortVariable is not null)
        {
            args.AddRange(["--network", "host", "-e", $"{PortVariable}={HostPort}"]);
        }
        else if (TargetPort is { } target)
        {
            args.AddRange(["-p", $"127.0.0.1:{HostPort}:{target}"]);
        }

        foreach (var (key, value) in ResolvedEnvironment())
        {
            args.AddRange(["-e", $"{key}={value}"]);
        }

        foreach (var (source, targetPath) in BindMounts)
        {
            args.AddRange(["-v", $"{Path.Combine(runtime.RepositoryRoot, source)}:{targetPath}:ro"]);
        }

        args.Add(Image);
        if (InitCommand is not null)
        {
            args.AddRange(["sh", "-c", $"{InitCommand} && exec /usr/bin/run-server.sh"]);
        }

        var (code, output) = await RunAsync("docker", args, cancellationToken);
        if (code != 0)
        {
            MarkReady($"not started: docker run failed ({output.Trim()})");
            return;
        }

        _containerId = output.Trim();
        if (HealthPath is not null && !await HealthyAsync(cancellationToken))
        {
            HostPort = null;
            MarkReady($"not started: {Image} did not answer {HealthPath} within 5 minutes (docker logs {_containerId[..12]})");
            return;
        }

        MarkReady($"running ({Image})");
    }

    public override async Task StopAsync()
    {
        if (_containerId is not null)
        {
            await RunAsync("docker", ["stop", _containerId], CancellationToken.None);
            State = "stopped";
        }
    }

    private async Task<bool> HealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync(Url + HealthPath, cancellationToken)).IsSuccessStatusCode)
                {
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // still starting
            }

            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        }

        return false;
    }

    private static async Task<bool> EngineAnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            var (code, _) = await RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], timeout.Token);
            return code == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output + await error);
    }
}
