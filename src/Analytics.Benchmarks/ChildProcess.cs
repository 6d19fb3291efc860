using System.Diagnostics;

namespace Analytics.Benchmarks;

internal static class ChildProcess
{
    /// <summary>Runs a program to completion; returns wall time and everything it printed.</summary>
    public static async Task<(TimeSpan Elapsed, string Output)> RunAsync(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {output}");
        }

        return (clock.Elapsed, output);
    }

    /// <summary>
    /// The analytics CLI: <c>ANALYTICS_BENCH_CLI</c> when set (the tool as scripts/install-tool installs it, compiled
    /// ahead of time: <c>$(dotnet nuget locals global-packages --list ...)/analytics.cli/1.0.0/tools/net10.0/any/analytics.dll</c>),
    /// else the one built beside this benchmark (JIT-compiled at every start: about 0.35 s more a process).
    /// </summary>
    public static string CliDll => Environment.GetEnvironmentVariable("ANALYTICS_BENCH_CLI") is { Length: > 0 } cli
        ? cli
        : Path.Combine(AppContext.BaseDirectory, "analytics.dll");

    public static string Psql => Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "psql")).First(File.Exists);
}
