using Analytics.Core.Assets;
using Analytics.Postgres.Hosting;
using Npgsql;

namespace Analytics.Hosting;

/// <summary>The opened environment a service works in: warehouse, run store and the declared assets.</summary>
public sealed class AnalyticsServices(AnalyticsEnvironment environment, AssetProject project) : IAsyncDisposable
{
    public NpgsqlDataSource Warehouse => environment.Warehouse;

    public NpgsqlDataSource RunStore => environment.RunStore;

    public AssetProject Project { get; } = project;

    public ValueTask DisposeAsync() => environment.DisposeAsync();
}
