using Microsoft.Extensions.Configuration;

namespace AppHost.Resources;

/// <summary>The Aspire-shaped fluent API: references, waits, environment, replicas, routes.</summary>
public static class ResourceBuilderExtensions
{
    public static ResourceBuilder<PostgresDatabaseResource> AddDatabase(this ResourceBuilder<PostgresServerResource> server, string name, string? databaseName = null)
    {
        var database = server.Builder.AddResource(new PostgresDatabaseResource(name, databaseName ?? name, server.Resource));
        server.Resource.Databases.Add(database.Resource);
        // A server that fails takes its databases with it, reported as waiting for it rather than as a second cause.
        database.Resource.WaitsFor.Add(server.Resource);
        return database;
    }

    /// <summary>A database's connection string as <c>ConnectionStrings__NAME</c>.</summary>
    public static ResourceBuilder<T> WithReference<T>(this ResourceBuilder<T> builder, ResourceBuilder<PostgresDatabaseResource> database) where T : Resource
    {
        builder.Resource.Environment.Add(($"ConnectionStrings__{database.Resource.Name}", () => database.Resource.ConnectionString));
        builder.Resource.WaitsFor.Add(database.Resource);
        return builder;
    }

    /// <summary>
    /// A service's replicas as <c>services__NAME__http__0..N</c>, as Aspire hands them out: the service then calls
    /// <c>http://NAME</c> and service discovery resolves it.
    /// </summary>
    public static ResourceBuilder<T> WithReference<T>(this ResourceBuilder<T> builder, ResourceBuilder<ProjectResource> service) where T : Resource
    {
        for (var i = 0; i < service.Resource.Replicas; i++)
        {
            var replica = i;
            builder.Resource.Environment.Add(($"services__{service.Resource.Name}__http__{replica}", () => service.Resource.Urls.ElementAtOrDefault(replica)));
        }

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

    /// <summary>A value known only once another resource has started (its URL); left out while it is null.</summary>
    public static ResourceBuilder<T> WithEnvironment<T>(this ResourceBuilder<T> builder, string name, Func<string?> value) where T : Resource
    {
        builder.Resource.Environment.Add((name, value));
        return builder;
    }

    public static ResourceBuilder<T> WithEnvironment<T>(this ResourceBuilder<T> builder, string name, ResourceBuilder<ParameterResource> parameter) where T : Resource
    {
        builder.Resource.Environment.Add((name, () => parameter.Resource.Value));
        return builder;
    }

    /// <summary>
    /// Prints a one-time sign-in link to this project (the gateway) with the resource table, as the Aspire dashboard
    /// prints its token link: opening it sets the web UI's session cookie, so the key is never typed or put in a URL.
    /// </summary>
    public static ResourceBuilder<ProjectResource> WithSignInLink(this ResourceBuilder<ProjectResource> builder, ResourceBuilder<ParameterResource> token)
    {
        builder.Resource.SignInToken = token.Resource;
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

    /// <summary>
    /// A YARP route on the gateway (configuration <c>ReverseProxy:Routes</c>/<c>Clusters</c>) whose destination is
    /// <c>http://TARGET</c>, resolved by service discovery from the <c>services__</c> variables (give a project
    /// target with <c>WithReference</c>); skipped while the target has no address (a container that could not start).
    /// </summary>
    public static ResourceBuilder<ProjectResource> WithProxyRoute(this ResourceBuilder<ProjectResource> gateway, string path, ResourceBuilder<ProjectResource> target) =>
        gateway.WithProxyRoute(path, target.Resource);

    public static ResourceBuilder<ProjectResource> WithProxyRoute(this ResourceBuilder<ProjectResource> gateway, string path, ResourceBuilder<ContainerResource> target)
    {
        gateway.Resource.Environment.Add(($"services__{target.Resource.Name}__http__0", () => target.Resource.Url));
        return gateway.WithProxyRoute(path, target.Resource);
    }

    private static ResourceBuilder<ProjectResource> WithProxyRoute(this ResourceBuilder<ProjectResource> gateway, string path, Resource target)
    {
        var route = new string(path.Where(char.IsLetterOrDigit).ToArray());
        var env = gateway.Resource.Environment;
        string? IfUp(string value) => target.Url is null ? null : value;
        env.Add(($"ReverseProxy__Routes__{route}__ClusterId", () => IfUp(target.Name)));
        env.Add(($"ReverseProxy__Routes__{route}__Match__Path", () => IfUp(path)));
        env.Add(($"ReverseProxy__Clusters__{target.Name}__Destinations__{target.Name}__Address", () => IfUp($"http://{target.Name}")));
        gateway.Resource.WaitsFor.Add(target);
        return gateway;
    }

    /// <summary>Builds the container's image from a Dockerfile in <paramref name="context"/> (repository-relative) before running it.</summary>
    public static ResourceBuilder<ContainerResource> WithDockerfile(this ResourceBuilder<ContainerResource> builder, string context)
    {
        builder.Resource.DockerfileContext = context;
        return builder;
    }

    /// <summary>Runs the container on the host's network, telling it its port in <paramref name="portVariable"/>.</summary>
    public static ResourceBuilder<ContainerResource> WithHostNetwork(this ResourceBuilder<ContainerResource> builder, string portVariable)
    {
        builder.Resource.PortVariable = portVariable;
        return builder;
    }

    /// <summary>The container is ready once GET <paramref name="path"/> answers 2xx.</summary>
    public static ResourceBuilder<ContainerResource> WithHttpHealthCheck(this ResourceBuilder<ContainerResource> builder, string path)
    {
        builder.Resource.HealthPath = path;
        return builder;
    }

    public static ResourceBuilder<SupersetPublishResource> AddSupersetPublish(this DistributedApplicationBuilder builder, string name,
        ResourceBuilder<ContainerResource> superset, ResourceBuilder<PostgresDatabaseResource> warehouse, ResourceBuilder<ParameterResource> adminPassword,
        ResourceBuilder<SampleDataResource> sampleData)
    {
        var job = builder.AddResource(new SupersetPublishResource(name, superset.Resource, warehouse.Resource, adminPassword.Resource, sampleData.Resource));
        job.Resource.WaitsFor.Add(superset.Resource);
        job.Resource.WaitsFor.Add(sampleData.Resource);
        return job;
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
