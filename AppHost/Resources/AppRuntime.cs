namespace AppHost.Resources;

/// <summary>What resources share while the app runs: the repository, the data folder, the log, the OTLP endpoint.</summary>
public sealed class AppRuntime(string repositoryRoot, string home, TextWriter log, string? otlpEndpoint, string configuration, bool requestLogs = false)
{
    private readonly Lock _lock = new();

    public string RepositoryRoot { get; } = repositoryRoot;

    /// <summary>Where the app keeps data between runs (PostgreSQL's data folder, the landing folder).</summary>
    public string Home { get; } = home;

    /// <summary>Where the workers' sensor looks for CSVs: <c>Analytics__Landing</c>, else <c>&lt;home&gt;/landing</c>.</summary>
    public string LandingFolder { get; } = Environment.GetEnvironmentVariable("Analytics__Landing") is { Length: > 0 } landing
        ? landing : Path.Combine(home, "landing");

    /// <summary>Where services send OTLP: the dashboard's receiver, or the user's collector when the dashboard is off.</summary>
    public string? OtlpEndpoint { get; set; } = otlpEndpoint;

    /// <summary><c>OTEL_EXPORTER_OTLP_HEADERS</c> for the services (the dashboard's receiver key).</summary>
    public string? OtlpHeaders { get; set; }

    /// <summary>Receives every console line: (resource, replica, line, from stderr).</summary>
    public Action<string, string, string, bool>? Console { get; set; }

    /// <summary>Debug or Release: which build of the services to start.</summary>
    public string Configuration { get; } = configuration;

    /// <summary>
    /// Whether services log every HTTP request (ASP.NET Core's and YARP's per-request lines). Off by default: the
    /// console then holds the resource table, warnings and errors, and the engine's own lines.
    /// </summary>
    public bool RequestLogs { get; } = requestLogs;

    public bool Stopping { get; set; }

    /// <summary>Writes a line prefixed with the resource's name.</summary>
    public void Log(string resource, string line) => Log(resource, resource, line, false);

    /// <summary>Writes a line of one replica, prefixed with its name, and hands it to the dashboard's console store.</summary>
    public void Log(string resource, string replica, string line, bool error)
    {
        lock (_lock)
        {
            log.WriteLine($"{"[" + replica + "]",-14} {line}");
        }

        Console?.Invoke(resource, replica, line, error);
    }
}
