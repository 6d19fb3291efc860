using System.Net;
using System.Net.Sockets;

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
