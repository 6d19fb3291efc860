using System.Diagnostics;
using Npgsql;

namespace AppHost.Resources;

/// <summary>
/// Once Superset is healthy and the sample run has built the marts, publishes the Growth dashboard with the
/// same command a person runs (<c>analytics superset publish</c>), so what the AppHost does is what the README
/// says. Skipped, saying why, when Superset is not running.
/// </summary>
public sealed class SupersetPublishResource(string name, ContainerResource superset, PostgresDatabaseResource warehouse, ParameterResource adminPassword,
    SampleDataResource sampleData) : Resource(name)
{
    public const string AdminUser = "admin";

    /// <summary>The dashboard's address once published.</summary>
    public override string? Url => _dashboard;

    private string? _dashboard;

    public override async Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        if (superset.Url is null)
        {
            MarkReady("skipped: Superset is not running");
            return;
        }

        await sampleData.Finished.WaitAsync(cancellationToken);
        var pg = new NpgsqlConnectionStringBuilder(warehouse.ConnectionString);
        var password = string.IsNullOrEmpty(pg.Password) ? "" : ":" + Uri.EscapeDataString(pg.Password);
        var uri = $"postgresql+psycopg2://{Uri.EscapeDataString(pg.Username ?? "postgres")}{password}@127.0.0.1:{pg.Port}/{pg.Database}";
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(runtime.RepositoryRoot, "src", "Analytics.Cli", "bin", "Release", "net10.0", "analytics.dll"),
                     "superset", "publish", "--url", superset.Url, "--database-uri", uri })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["ConnectionStrings__warehouse"] = warehouse.ConnectionString;
        info.Environment["ANALYTICS_ASSETS"] = Path.Combine(runtime.RepositoryRoot, "assets-sql");
        info.Environment["SUPERSET_USERNAME"] = AdminUser;
        info.Environment["SUPERSET_PASSWORD"] = adminPassword.Value;
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken) + await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            MarkFailed($"failed: {output.Trim()}", new InvalidOperationException(output.Trim()));
            return;
        }

        _dashboard = output.Trim().Split(' ').Last();
        MarkReady("published the Growth dashboard");
    }
}
