using System.Text.RegularExpressions;
using Analytics.Dashboard;

namespace AppHost.Resources;

/// <summary>The dashboard's view of the app's resources, and its stop/start/restart buttons (services only).</summary>
public sealed partial class DashboardResourceControl(IReadOnlyList<Resource> resources) : IResourceControl
{
    private readonly DateTimeOffset _appStarted = DateTimeOffset.UtcNow;

    public IReadOnlyList<ResourceView> Resources() => resources.Select(View).ToList();

    public async Task<string?> ActAsync(string resource, string action, int? replica, CancellationToken cancellationToken)
    {
        var found = resources.FirstOrDefault(r => r.Name == resource);
        return found switch
        {
            null => $"no resource '{resource}'; there are {string.Join(", ", resources.Select(r => r.Name))}",
            ProjectResource project => await project.ActAsync(action, replica, cancellationToken),
            _ => $"{resource} is a {TypeOf(found)}; only services (projects) can be stopped and started here",
        };
    }

    private ResourceView View(Resource resource)
    {
        var replicas = resource is ProjectResource project
            ? project.ReplicaStates().Select(r => new ReplicaView(r.Name, r.ProcessId, r.State, r.StartedAt, r.Restarts, r.ExitCode)).ToList()
            : [];
        var endpoints = resource switch
        {
            ProjectResource p => p.Urls.ToList(),
            ParameterResource => [],
            _ => resource.Url is { } url ? [url] : new List<string>(),
        };
        var environment = resource.Environment
            .Select(e => (e.Name, Value: SafeValue(e.Value)))
            .Where(e => e.Value is not null)
            .Select(e => KeyValuePair.Create(e.Name, Mask(e.Name, e.Value!)))
            .ToList();
        var started = replicas.Select(r => r.StartedAt).Where(t => t is not null).Min() ?? (resource.Ready.IsCompletedSuccessfully ? _appStarted : null);
        return new ResourceView(resource.Name, TypeOf(resource), resource.State, started, replicas, endpoints, environment, resource is ProjectResource);
    }

    private static string? SafeValue(Func<string?> value)
    {
        try
        {
            return value();
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException)
        {
            return null; // not known until the resource it comes from has started
        }
    }

    /// <summary>Secrets shown as asterisks: values of names that say key, token, secret or password, and passwords inside connection strings.</summary>
    public static string Mask(string name, string value) =>
        SecretName().IsMatch(name) ? "********" : PasswordPart().Replace(value, m => m.Groups["k"].Value + "********");

    private static string TypeOf(Resource resource) => resource switch
    {
        ProjectResource => "project",
        ContainerResource => "container",
        PostgresServerResource => "postgres",
        PostgresDatabaseResource => "database",
        ParameterResource => "parameter",
        _ => "job",
    };

    [GeneratedRegex("(?i)(key|token|secret|password)")]
    private static partial Regex SecretName();

    [GeneratedRegex("(?i)(?<k>password=)[^;]*")]
    private static partial Regex PasswordPart();
}
