using Analytics.RunStore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Analytics.Orchestration;

/// <summary>Ready when the run store answers and its migrations are applied.</summary>
public sealed class RunStoreHealthCheck(AnalyticsServices services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = services.RunStore.CreateCommand("select coalesce(max(version), 0) from runstore.schema_migrations");
            var version = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
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
