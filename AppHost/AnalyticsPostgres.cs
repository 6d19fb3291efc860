namespace AppHost;

/// <summary>The app's PostgreSQL and the two connection strings its services take, whichever server it is.</summary>
public sealed record AnalyticsPostgres(IResourceBuilder<IResourceWithConnectionString> Server, IResourceBuilder<IResourceWithConnectionString> Warehouse,
    IResourceBuilder<IResourceWithConnectionString> Runstore, LocalPostgresResource? Local)
{
    /// <summary>Stops the server the AppHost started, if it started one.</summary>
    public Task StopAsync() => Local?.StopAsync() ?? Task.CompletedTask;
}
