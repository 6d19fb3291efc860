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

    public bool Started => _containerId is not null;

    public override string? Url => HostPort is { } port ? $"http://127.0.0.1:{port}" : null;

    public override async Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        if (!await EngineAnswersAsync(cancellationToken))
        {
            MarkReady("not started: no container engine");
            return;
        }

        HostPort = TargetPort is null ? null : Random.Shared.Next(20000, 30000);
        var args = new List<string> { "run", "-d", "--rm", "--name", $"analytics-{Name}-{System.Environment.ProcessId}" };
        if (TargetPort is { } target)
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
