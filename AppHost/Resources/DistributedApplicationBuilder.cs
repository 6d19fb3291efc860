using Microsoft.Extensions.Configuration;

namespace AppHost.Resources;

/// <summary>Collects the app's resources; shaped like Aspire's, so moving to Aspire.Hosting changes Program.cs only.</summary>
public sealed class DistributedApplicationBuilder
{
    private DistributedApplicationBuilder(string[] args)
    {
        Configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
    }

    public IConfiguration Configuration { get; }

    public List<Resource> Resources { get; } = [];

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    public ResourceBuilder<T> AddResource<T>(T resource) where T : Resource
    {
        if (Resources.Any(r => r.Name == resource.Name))
        {
            throw new ArgumentException($"A resource is already called '{resource.Name}'.", nameof(resource));
        }

        Resources.Add(resource);
        return new ResourceBuilder<T>(this, resource);
    }

    public ResourceBuilder<PostgresServerResource> AddPostgres(string name) =>
        AddResource(new PostgresServerResource(name, Configuration.GetConnectionString(name) is { Length: > 0 } external ? external : null));

    public ResourceBuilder<ParameterResource> AddParameter(string name, bool secret = false) =>
        AddResource(new ParameterResource(name, Configuration[$"Parameters:{name}"], secret));

    public ResourceBuilder<ProjectResource> AddProject(string name, string projectDirectory) => AddResource(new ProjectResource(name, projectDirectory));

    public ResourceBuilder<ContainerResource> AddContainer(string name, string image, string tag) => AddResource(new ContainerResource(name, image, tag));

    public DistributedApplication Build() => new(Resources, Configuration);
}

/// <summary>A resource being declared; the With*/WaitFor extension methods configure it.</summary>
public sealed record ResourceBuilder<T>(DistributedApplicationBuilder Builder, T Resource) where T : Resource;
