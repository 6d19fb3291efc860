namespace AppHost;

/// <summary>
/// The app's PostgreSQL and the connection strings its services take, whichever server it is: the warehouse, the run
/// store, and <c>appdb</c>, the rewards application's own database that the example's database sources read.
/// </summary>
public sealed record AnalyticsPostgres(IResourceBuilder<IResourceWithConnectionString> Server, IResourceBuilder<IResourceWithConnectionString> Warehouse,
    IResourceBuilder<IResourceWithConnectionString> Runstore, IResourceBuilder<IResourceWithConnectionString> AppDb, LocalPostgresResource? Local)
{
    /// <summary>Stops the server the AppHost started, if it started one.</summary>
    public Task StopAsync() => Local?.StopAsync() ?? Task.CompletedTask;
}
