using System.Diagnostics;
using System.Text;

namespace Analytics.Api.Tests;

/// <summary>A queue worker in a process of its own, as the AppHost starts them; killed with the test.</summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public WorkerProcess(string connectionString, string assets, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(WorkerDll);
        info.Environment["ConnectionStrings__warehouse"] = connectionString;
        info.Environment["ANALYTICS_ASSETS"] = assets;
        info.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        info.Environment["Analytics__Worker__PollInterval"] = "00:00:00.200";
        info.Environment["Analytics__Worker__HeartbeatInterval"] = "00:00:00.500";
        info.Environment["Analytics__Worker__HeartbeatTimeout"] = "00:00:04";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>How runs name this worker in <c>runstore.runs.worker</c>.</summary>
    public string Name => $"{Environment.MachineName}:{_process.Id}";

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Waits until the worker has started taking runs.</summary>
    public async Task<WorkerProcess> ReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!Output.Contains("taking queued runs", StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"worker did not start:\n{Output}");
            }

            await Task.Delay(50);
        }

        return this;
    }

    /// <summary>kill -9: no shutdown, no goodbye; only the heartbeat timeout notices.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
    }

    private static string WorkerDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "src", "Analytics.Worker", "bin", configuration, "net10.0", "Analytics.Worker.dll");
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new FileNotFoundException("Analytics.Worker.dll is not built; build the solution first.");
        }
    }
}
