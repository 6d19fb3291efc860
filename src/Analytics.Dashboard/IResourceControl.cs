namespace Analytics.Dashboard;

/// <summary>One process of a resource.</summary>
public sealed record ReplicaView(string Name, int? ProcessId, string State, DateTimeOffset? StartedAt, int Restarts, int? ExitCode);

/// <summary>A resource as the dashboard shows it; environment values of secrets are already masked.</summary>
public sealed record ResourceView(
    string Name, string Type, string State, DateTimeOffset? StartedAt, IReadOnlyList<ReplicaView> Replicas,
    IReadOnlyList<string> Endpoints, IReadOnlyList<KeyValuePair<string, string>> Environment, bool CanControl);

/// <summary>What the dashboard may see and do to the app's resources (the AppHost implements it).</summary>
public interface IResourceControl
{
    IReadOnlyList<ResourceView> Resources();

    /// <summary>
    /// Stops, starts or restarts a resource, or one replica of it when <paramref name="replica"/> is given. Returns
    /// null when done, else why not (an unknown resource or replica, a resource that cannot be controlled).
    /// </summary>
    Task<string?> ActAsync(string resource, string action, int? replica, CancellationToken cancellationToken);
}
