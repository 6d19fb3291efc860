using Analytics.RunStore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.Orchestration;

/// <summary>Ready when the run store answers and its migrations are applied.</summary>
public sealed class RunStoreHealthCheck(RunStoreQueries queries) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await queries.SchemaVersionAsync(cancellationToken);
            return version >= RunStoreMigrations.LatestVersion
                ? HealthCheckResult.Healthy($"run store at migration {version}")
                : HealthCheckResult.Unhealthy($"run store at migration {version}, expected {RunStoreMigrations.LatestVersion}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("run store unreachable", e);
        }
    }
}
