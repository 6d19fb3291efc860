using System.Globalization;

namespace AppHost;

/// <summary>Superset: the container, the gateway's redirect to it, and the job that publishes the Growth dashboard.</summary>
public static class SupersetExtensions
{
    private const string AdminUser = "admin";

    /// <summary>
    /// <c>apache/superset:4.1.1</c> plus the PostgreSQL driver (<c>superset/Dockerfile</c>) with an admin and a secret
    /// key. Run here, it is on the host network so it reaches PostgreSQL on 127.0.0.1, at an address fixed now rather
    /// than taken from its endpoint: where it cannot start, that endpoint is never allocated, and whatever waited for
    /// it would hold up the whole start. Deployed, it is an ordinary container on port 8088.
    /// </summary>
    public static SupersetContainer AddSuperset(this IDistributedApplicationBuilder builder, string name, string repository,
        IResourceBuilder<ParameterResource> adminPassword, IResourceBuilder<ParameterResource> secretKey)
    {
        var publishing = builder.ExecutionContext.IsPublishMode;
        var port = publishing ? 8088 : LocalDevDefaults.FreePort();
        var superset = builder.AddDockerfile(name, Path.Combine(repository, "superset"));
        if (publishing)
        {
            superset.WithHttpEndpoint(targetPort: port, name: "http");
        }
        else
        {
            superset.WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false).WithContainerRuntimeArgs("--network=host");
        }

        superset
            .WithEnvironment("SUPERSET_PORT", port.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("SUPERSET_SECRET_KEY", secretKey)
            .WithEnvironment("SUPERSET_ADMIN_PASSWORD", adminPassword)
            .WithBindMount(Path.Combine(repository, "superset", "superset_config.py"), "/app/pythonpath/superset_config.py", isReadOnly: true)
            .WithEntrypoint("/bin/sh")
            .WithArgs("-c", $"superset db upgrade && (superset fab create-admin --username {AdminUser} --firstname Analytics --lastname Admin "
                            + "--email admin@localhost --password \"$SUPERSET_ADMIN_PASSWORD\" || true) && superset init && /usr/bin/run-server.sh")
            .WithHttpHealthCheck("/health");
        return new SupersetContainer(superset, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// The gateway's <c>/superset</c> redirects there (superset_config.py says why it is not proxied); where no
    /// container engine answers it is left unset, and the gateway says Superset is not running.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSupersetRedirect(this IResourceBuilder<ProjectResource> gateway, SupersetContainer superset, ContainerRuntime containers)
    {
        if (gateway.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            return gateway.WithEnvironment("Superset__Url", superset.Container.GetEndpoint("http"));
        }

        return containers.Available ? gateway.WithEnvironment("Superset__Url", superset.Url) : gateway;
    }

    /// <summary>
    /// <c>analytics superset publish</c> against the running Superset, once it is healthy. Where no container engine
    /// answers, the job is left for a person to start: waiting for a container that cannot start would hold up the
    /// whole app's start (Aspire creates every resource, its waits included, before the app counts as started).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithSupersetPublish(this IResourceBuilder<ProjectResource> job, SupersetContainer superset,
        IResourceBuilder<IResourceWithConnectionString> warehouse, IResourceBuilder<ParameterResource> adminPassword,
        IResourceBuilder<ParameterResource> readerPassword, AppHostSettings settings, ContainerRuntime containers)
    {
        // The job gives the reader role its login (--reader-password), then publishes a bundle that connects as it.
        job.WithArgs("superset", "publish", "--url", superset.Url, "--database-uri", SupersetDatabaseUri.For(warehouse.Resource, readerPassword.Resource))
            .WithEnvironment("ANALYTICS_SUPERSET_READER_PASSWORD", readerPassword)
            .WithReference(warehouse, "warehouse")
            .WithEnvironment("ANALYTICS_ASSETS", settings.Assets)
            .WithEnvironment("SUPERSET_USERNAME", AdminUser)
            .WithEnvironment("SUPERSET_PASSWORD", adminPassword)
            .WaitFor(superset.Container);
        return containers.Available ? job : job.WithExplicitStart();
    }
}
