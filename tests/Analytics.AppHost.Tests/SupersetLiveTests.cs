using System.Diagnostics;
using AppHost.Resources;

namespace Analytics.AppHost.Tests;

/// <summary>A fact that runs only where a container engine answers; elsewhere it is skipped, and the skip says why.</summary>
public sealed class ContainerEngineFactAttribute : FactAttribute
{
    public ContainerEngineFactAttribute()
    {
        try
        {
            using var docker = Process.Start(new ProcessStartInfo("docker", "info --format {{.ServerVersion}}")
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            })!;
            var error = docker.StandardError.ReadToEnd();
            if (!docker.WaitForExit(10_000) || docker.ExitCode != 0)
            {
                Skip = $"needs a container engine to run Superset: 'docker info' failed ({error.Trim().Split('\n')[0]})";
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Skip = $"needs a container engine to run Superset: docker is not installed ({e.Message})";
        }
    }
}

/// <summary>Superset for real: the AppHost builds the image, starts it, and publishes the Growth dashboard into it.</summary>
public sealed class SupersetLiveTests
{
    [ContainerEngineFact]
    public async Task The_apphost_starts_superset_and_publishes_the_growth_dashboard()
    {
        var home = Path.Combine(Path.GetTempPath(), $"analytics-superset-{Guid.NewGuid():N}");
        var app = Program.BuildApp([$"--ANALYTICS_HOME={home}", "--Workers=1", "--SampleUsers=300"]);
        try
        {
            await app.StartAsync(TextWriter.Null);
            var publish = app.Resource<SupersetPublishResource>("superset-publish");
            await publish.Ready.WaitAsync(TimeSpan.FromMinutes(10));

            Assert.Equal("published the Growth dashboard", publish.State);
            using var http = new HttpClient();
            Assert.True((await http.GetAsync(app.Resource<ContainerResource>("superset").Url + "/health")).IsSuccessStatusCode);
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
