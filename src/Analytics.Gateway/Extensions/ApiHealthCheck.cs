using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.Gateway.Extensions;

/// <summary>
/// The gateway is healthy only while what it fronts is: the API's own <c>/health</c> (run store reachable and
/// migrated) answers 2xx through the same service discovery the routes use.
/// </summary>
public sealed class ApiHealthCheck(IHttpClientFactory clients) : IHealthCheck
{
    public const string Client = "api-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await clients.CreateClient(Client).GetAsync("/health", cancellationToken);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy("the API answers /health")
                : HealthCheckResult.Unhealthy($"the API answers /health with {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"the API cannot be reached: {e.Message}");
        }
    }
}
