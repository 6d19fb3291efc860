using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;

namespace AppHost;

/// <summary>
/// What the AppHost needs to run from <c>dotnet AppHost.dll</c> on a machine without an HTTPS development
/// certificate, where a launch profile would otherwise say it: the dashboard, its OTLP receiver and the resource
/// service on free loopback ports over plain http. Anything already set (the environment, a launch profile) wins.
/// </summary>
public static class LocalDevDefaults
{
    public static void Apply()
    {
        Default("ASPIRE_ALLOW_UNSECURED_TRANSPORT", "true");
        // Stop waits until DCP has stopped every service, so PostgreSQL (stopped last) outlives their last queries.
        Default("DcpPublisher__WaitForResourceCleanup", "true");
        Default("ASPNETCORE_URLS", $"http://127.0.0.1:{FreePort()}");
        Default("ASPIRE_DASHBOARD_OTLP_HTTP_ENDPOINT_URL", $"http://127.0.0.1:{FreePort()}");
        Default("ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL", $"http://127.0.0.1:{FreePort()}");
    }

    private static void Default(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

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
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
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
