using Analytics.Cli;
using Analytics.Orchestration;

namespace Analytics.Testing;

/// <summary>Runs an <c>analytics</c> verb in this process and keeps what it printed to each stream.</summary>
public static class InProcessCli
{
    /// <summary>
    /// The xunit collection of the classes that run CLI verbs in this process: one at a time, since the OTLP test listens
    /// to the engine's spans process-wide, and so a run of another class must not overlap it.
    /// </summary>
    public const string Collection = "cli in process";

    public static async Task<(int Exit, string Output, string Error)> RunAsync(AnalyticsSettings settings, params string[] args)
    {
        var (output, error) = (new StringWriter(), new StringWriter());
        var exit = await CliApp.RunAsync(args, output, error, settings);
        return (exit, output.ToString(), error.ToString());
    }
}
