using System.Diagnostics;

namespace Analytics.AppHost.Tests;

/// <summary>A fact that runs only where a container engine answers; elsewhere it is skipped, and the skip says why.</summary>
public sealed class ContainerEngineFactAttribute : FactAttribute
{
    public ContainerEngineFactAttribute()
    {
        if (!Answers(out var why))
        {
            Skip = $"needs a container engine to run Superset: {why}";
        }
    }

    public static bool Answers(out string why)
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            var error = docker.StandardError.ReadToEnd();
            var answered = docker.WaitForExit(10_000) && docker.ExitCode == 0;
            why = answered ? "" : $"'docker info' failed ({error.Trim().Split('\n')[0]})";
            return answered;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            why = $"docker is not installed ({e.Message})";
            return false;
        }
    }
}

/// <summary>Superset for real: the AppHost builds the image, starts it, and the publish job imports the Growth dashboard.</summary>
public sealed class SupersetLiveTests
{
    [ContainerEngineFact]
    public async Task The_apphost_starts_superset_and_publishes_the_growth_dashboard()
    {
        var home = Path.Combine(Path.GetTempPath(), $"analytics-superset-{Guid.NewGuid():N}");
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>([$"--ANALYTICS_HOME={home}", "--Workers=1", "--SampleUsers=300"]);
        await using var app = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await app.StartAsync(timeout.Token);

        var publish = await app.ResourceNotifications.WaitForResourceAsync("superset-publish", e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), timeout.Token);

        Assert.Equal(0, publish.Snapshot.ExitCode);
        using var superset = app.CreateHttpClient("superset", "http");
        Assert.True((await superset.GetAsync("/health")).IsSuccessStatusCode);
        await app.StopAsync();
        Postgres.Server.EmbeddedPostgres.Delete(Path.Combine(home, "postgres"));
    }
}
