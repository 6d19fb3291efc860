using Analytics.Cli;
using Analytics.Orchestration;

namespace Analytics.Testing;

/// <summary>Runs an <c>analytics</c> verb in this process and keeps what it printed to each stream.</summary>
public static class InProcessCli
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(AnalyticsSettings settings, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(args, output, error, settings);
        return (exit, output.ToString(), error.ToString());
    }
}
