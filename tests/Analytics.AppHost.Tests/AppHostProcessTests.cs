using System.Diagnostics;
using AppHost.Resources;

namespace Analytics.AppHost.Tests;

/// <summary>The AppHost as a person starts it: its own process, its console, stopped by a signal.</summary>
public sealed class AppHostProcessTests
{
    private static string BuildConfiguration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";

    [Fact]
    public async Task A_first_start_prints_under_80_lines_until_a_mart_is_built_and_SIGTERM_leaves_no_process_behind()
    {
        // A unique folder, so that every process of this app (services inherit the environment, PostgreSQL's
        // command line names its data folder) can be found by it afterwards.
        var home = Path.Combine(Path.GetTempPath(), $"analytics-sigterm-{Guid.NewGuid():N}");
        var root = RepositoryRoot();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
        info.ArgumentList.Add(Path.Combine(root, "AppHost", "bin", BuildConfiguration, "net10.0", "AppHost.dll"));
        info.ArgumentList.Add($"--Configuration={BuildConfiguration}");
        info.ArgumentList.Add("--Workers=2");
        // Enough events that the run takes a while: request logging, were it on, would print hundreds of lines meanwhile.
        info.ArgumentList.Add("--SampleUsers=1500");
        info.Environment["ANALYTICS_HOME"] = home;
        var lines = new List<string>();
        var firstMart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var app = new Process { StartInfo = info };
        void Line(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (lines)
            {
                lines.Add(line);
            }

            if (line.Contains("first mart materialized", StringComparison.Ordinal))
            {
                firstMart.TrySetResult();
            }
        }

        app.OutputDataReceived += (_, e) => Line(e.Data);
        app.ErrorDataReceived += (_, e) => Line(e.Data);
        app.Start();
        app.BeginOutputReadLine();
        app.BeginErrorReadLine();
        try
        {
            var finished = await Task.WhenAny(firstMart.Task, app.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)));
            string[] seen;
            lock (lines)
            {
                seen = [.. lines];
            }

            Assert.True(finished == firstMart.Task, "no mart was materialized:\n" + string.Join("\n", seen));
            Assert.True(seen.Length < 80, $"{seen.Length} lines before the first mart:\n" + string.Join("\n", seen));
            Assert.Contains(seen, l => l.StartsWith("gateway ", StringComparison.Ordinal) && l.Contains("http://127.0.0.1:"));

            Assert.Equal(0, Kill("-TERM", app.Id));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await app.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, app.ExitCode);

            var left = ProcessesMentioning(home);
            Assert.True(left.Count == 0, "still running: " + string.Join("; ", left));
        }
        finally
        {
            if (!app.HasExited)
            {
                app.Kill(entireProcessTree: true);
            }

            foreach (var pid in ProcessesMentioning(home).Select(p => p.Pid))
            {
                Kill("-KILL", pid);
            }

            Analytics.Postgres.Server.EmbeddedPostgres.Delete(Path.Combine(home, "postgres"));
            if (Directory.Exists(home))
            {
                Directory.Delete(home, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_database_that_cannot_start_stops_the_app_with_the_cause_printed_once_and_exit_code_1()
    {
        var home = Path.Combine(Path.GetTempPath(), $"analytics-nodb-{Guid.NewGuid():N}");
        var app = Program.BuildApp([
            $"--ANALYTICS_HOME={home}", $"--Configuration={BuildConfiguration}",
            // Nothing listens on port 1: the database resource fails, and everything waits for it.
            "--ConnectionStrings:postgres=Host=127.0.0.1;Port=1;Timeout=3",
        ]);
        var log = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        var exit = await app.RunAsync(TextWriter.Synchronized(log), timeout.Token);

        var text = log.ToString();
        Assert.Equal(1, exit);
        Assert.False(timeout.IsCancellationRequested, "the app waited instead of stopping:\n" + text);
        Assert.Single(text.Split('\n'), l => l.Contains("[postgres]") && l.Contains("failed to start"));
        Assert.Contains("Stopping: postgres failed to start", text);
        Assert.DoesNotContain(app.Resources.OfType<ProjectResource>(), p => p.ProcessIds.Count > 0);
        if (Directory.Exists(home))
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private static int Kill(string signal, int pid)
    {
        using var kill = Process.Start("kill", [signal, pid.ToString()]);
        kill.WaitForExit();
        return kill.ExitCode;
    }

    /// <summary>Processes whose command line or environment names <paramref name="token"/>.</summary>
    private static List<(int Pid, string CommandLine)> ProcessesMentioning(string token)
    {
        var found = new List<(int, string)>();
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                var environment = File.ReadAllText(Path.Combine(dir, "environ"));
                if (commandLine.Contains(token, StringComparison.Ordinal) || environment.Contains(token, StringComparison.Ordinal))
                {
                    found.Add((pid, commandLine));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while we looked, or is not ours to read.
            }
        }

        return found;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Analytics.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Analytics.sln not found above the test's folder.");
    }
}
