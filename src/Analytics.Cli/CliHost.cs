using Analytics.Core.Assets;
using Analytics.Orchestration;
using Analytics.Superset;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Cli;

/// <summary>
/// A command's host: <see cref="Host.CreateApplicationBuilder()"/> with the registrations the services use
/// (<c>AddAnalytics</c>), started (so the schemas are migrated, as a service's are) and stopped when disposed (so an
/// embedded server started for the command stops with it). Logging is off: the command says what it does itself.
/// </summary>
internal sealed class CliHost(IHost host) : IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    /// <summary>Starts the environment and the host; <paramref name="project"/>, when the command has parsed it already, is used as it is.</summary>
    public static async Task<CliHost> StartAsync(AnalyticsSettings settings, CancellationToken cancellationToken, AssetProject? project = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Logging.ClearProviders();
        // The command line owns Ctrl+C (it cancels the command's token); the host only starts and stops with the command.
        builder.Services.AddSingleton<IHostLifetime, CommandLifetime>();
        // As the services' containers are built in production: a command resolves only what it uses.
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = false }));
        builder.Services.AddAnalytics(settings, await AnalyticsEnvironment.StartAsync(settings, cancellationToken));
        builder.Services.AddSingleton<IValidateOptions<SupersetOptions>, SupersetOptionsValidation>();
        builder.Services.AddOptions<SupersetOptions>().BindSettings(SupersetOptions.Section);
        if (project is not null)
        {
            builder.Services.AddSingleton(project);
        }

        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            await DisposeAsync(host);
            throw;
        }

        return new CliHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync(CancellationToken.None);
        await DisposeAsync(host);
    }

    private static async ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync();
        }
        else
        {
            host.Dispose();
        }
    }

    /// <summary>A lifetime that waits for nothing and listens to no signal.</summary>
    private sealed class CommandLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Checks <see cref="SupersetOptions"/> when a command's host starts.</summary>
internal sealed class SupersetOptionsValidation : IValidateOptions<SupersetOptions>
{
    public ValidateOptionsResult Validate(string? name, SupersetOptions options) =>
        options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}
