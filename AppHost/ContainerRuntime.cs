using System.Diagnostics;

namespace AppHost;

/// <summary>Whether a container engine answers, asked once at start; the console and the dashboard say which.</summary>
public sealed record ContainerRuntime(bool Available, string Description)
{
    public static ContainerRuntime Probe(IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return new ContainerRuntime(true, "publish mode: not asked");
        }

        var runtime = builder.Configuration["ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return new ContainerRuntime(false, $"'{runtime} info' did not answer within 10 s");
            }

            return process.ExitCode == 0
                ? new ContainerRuntime(true, $"{runtime} {output.Result.Trim()}")
                : new ContainerRuntime(false, $"'{runtime} info' failed: {FirstLine(error.Result)}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return new ContainerRuntime(false, $"no '{runtime}' command on this machine");
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "no output";
}
