using Analytics.Orchestration;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli;

/// <summary>The same registrations the services use (<c>AddAnalytics</c>), in a container that lives for one command.</summary>
internal static class CliServices
{
    public static ServiceProvider Build(AnalyticsSettings settings) =>
        new ServiceCollection().AddAnalytics(settings).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false });
}
