using Microsoft.Extensions.Configuration;

namespace AppHost.Hosting;

/// <summary>The Aspire-shaped fluent API: references, waits, environment, replicas, routes.</summary>
public static class ResourceBuilderExtensions
{
    public static ResourceBuilder<PostgresDatabaseResource> AddDatabase(this ResourceBuilder<PostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = server.Builder.AddResource(new PostgresDatabaseResource(name, databaseName ?? name, server.Resource));
        server.Resource.Databases.Add(database.Resource);
        return database;
    }

    /// <summary>A database's connection string as <c>ConnectionStrings__NAME</c>.</summary>
    public static ResourceBuilder<T> WithReference<T>(this ResourceBuilder<T> builder, ResourceBuilder<PostgresDatabaseResource> database) where T : Resource
    {
        builder.Resource.Environment.Add(($"ConnectionStrings__{database.Resource.Name}", () => database.Resource.ConnectionString));
        builder.Resource.WaitsFor.Add(database.Resource);
        return builder;
    }

    /// <summary>A service's address as <c>services__NAME__http__0</c>, as Aspire's service discovery reads it.</summary>
    public static ResourceBuilder<T> WithReference<T>(this ResourceBuilder<T> builder, ResourceBuilder<ProjectResource> service) where T : Resource
    {
        builder.Resource.Environment.Add(($"services__{service.Resource.Name}__http__0", () => service.Resource.Url));
        return builder;
    }

    public static ResourceBuilder<T> WaitFor<T, TOther>(this ResourceBuilder<T> builder, ResourceBuilder<TOther> other) where T : Resource where TOther : Resource
    {
        builder.Resource.WaitsFor.Add(other.Resource);
        return builder;
    }

    public static ResourceBuilder<T> WithEnvironment<T>(this ResourceBuilder<T> builder, string name, string value) where T : Resource
    {
        builder.Resource.Environment.Add((name, () => value));
        return builder;
    }

    public static ResourceBuilder<T> WithEnvironment<T>(this ResourceBuilder<T> builder, string name, ResourceBuilder<ParameterResource> parameter) where T : Resource
    {
        builder.Resource.Environment.Add((name, () => parameter.Resource.Value));
        return builder;
    }

    /// <summary>Prints the parameter's value in the resource table at start-up.</summary>
    public static ResourceBuilder<ParameterResource> PrintValue(this ResourceBuilder<ParameterResource> parameter)
    {
        parameter.Resource.Printed = true;
        return parameter;
    }

    public static ResourceBuilder<ProjectResource> WithReplicas(this ResourceBuilder<ProjectResource> builder, int replicas)
    {
        builder.Resource.Replicas = Math.Max(1, replicas);
        return builder;
    }

    public static ResourceBuilder<ContainerResource> WithHttpEndpoint(this ResourceBuilder<ContainerResource> builder, int targetPort)
    {
        builder.Resource.TargetPort = targetPort;
        return builder;
    }

    public static ResourceBuilder<ContainerResource> WithBindMount(this ResourceBuilder<ContainerResource> builder, string source, string target)
    {
        builder.Resource.BindMounts.Add((source, target));
        return builder;
    }

    public static ResourceBuilder<ContainerResource> WithInitCommand(this ResourceBuilder<ContainerResource> builder, string command)
    {
        builder.Resource.InitCommand = command;
        return builder;
    }

    /// <summary>A YARP route on the gateway (configuration <c>ReverseProxy:Routes</c>/<c>Clusters</c>) to a resource's address; skipped while it has none.</summary>
    public static ResourceBuilder<ProjectResource> WithProxyRoute(this ResourceBuilder<ProjectResource> gateway, string path, ResourceBuilder<ProjectResource> target) =>
        gateway.WithProxyRoute(path, target.Resource, () => target.Resource.Url);

    public static ResourceBuilder<ProjectResource> WithProxyRoute(this ResourceBuilder<ProjectResource> gateway, string path, ResourceBuilder<ContainerResource> target) =>
        gateway.WithProxyRoute(path, target.Resource, () => target.Resource.Url);

    private static ResourceBuilder<ProjectResource> WithProxyRoute(this ResourceBuilder<ProjectResource> gateway, string path, Resource target, Func<string?> address)
    {
        var route = new string(path.Where(char.IsLetterOrDigit).ToArray());
        var env = gateway.Resource.Environment;
        env.Add(($"ReverseProxy__Routes__{route}__ClusterId", () => address() is null ? null : target.Name));
        env.Add(($"ReverseProxy__Routes__{route}__Match__Path", () => address() is null ? null : path));
        env.Add(($"ReverseProxy__Clusters__{target.Name}__Destinations__{target.Name}__Address", address));
        gateway.Resource.WaitsFor.Add(target);
        return gateway;
    }

    public static ResourceBuilder<SampleDataResource> AddSampleData(this DistributedApplicationBuilder builder, string name,
        ResourceBuilder<PostgresDatabaseResource> warehouse, ResourceBuilder<ProjectResource> gateway, ResourceBuilder<ParameterResource> apiKey)
    {
        var job = builder.AddResource(new SampleDataResource(name, warehouse.Resource, gateway.Resource, apiKey.Resource)
        {
            Users = builder.Configuration.GetValue("SampleUsers", 5_000),
        });
        job.Resource.WaitsFor.Add(warehouse.Resource);
        return job;
    }
}
