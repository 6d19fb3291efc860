using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace AppHost;

/// <summary>
/// The AppHost's own settings (configuration: the environment or <c>--Name=value</c>): where the data lives
/// (<c>ANALYTICS_HOME</c>, default <c>.analytics</c> at the repository root, the CLI's default there too), the assets (<c>ANALYTICS_ASSETS</c>), the landing zone
/// (<c>Analytics:Landing</c>), <c>Workers</c>, <c>HeartbeatTimeout</c>, <c>SampleUsers</c> and <c>SampleSelection</c>.
/// </summary>
public sealed record AppHostSettings(string Repository, string Home, string Assets, string Landing, int Workers, string HeartbeatTimeout,
    string SampleUsers, string SampleSelection, DateTimeOffset StartedAt)
{
    public static AppHostSettings From(IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var home = Path.GetFullPath(configuration["ANALYTICS_HOME"] ?? Path.Combine(repository, ".analytics"));
        return new AppHostSettings(
            repository,
            home,
            Path.GetFullPath(configuration["ANALYTICS_ASSETS"] ?? Path.Combine(repository, "assets-sql")),
            configuration["Analytics:Landing"] ?? Path.Combine(home, "landing"),
            Math.Max(1, configuration.GetValue("Workers", 2)),
            configuration["HeartbeatTimeout"] ?? "00:00:15",
            configuration["SampleUsers"] ?? "5000",
            configuration["SampleSelection"] ?? "*",
            DateTimeOffset.UtcNow);
    }

    public string StartedAtUnixMilliseconds => StartedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
}
