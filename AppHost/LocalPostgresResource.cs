using Analytics.Postgres.Server;

namespace AppHost;

/// <summary>
/// PostgreSQL from the machine's binaries (<c>/usr/lib/postgresql/*/bin</c>), as an Aspire resource: there is no
/// container engine to run the <c>Aspire.Hosting.PostgreSQL</c> image on a developer's machine like this one. The
/// cluster lives under the AppHost's home and survives restarts (run as the <c>postgres</c> user when the AppHost
/// runs as root); or, when <c>ConnectionStrings:postgres</c> is configured, that server is used instead. Either
/// way, consumers get <c>ConnectionStrings__NAME</c> for each database through <c>WithReference</c>.
/// </summary>
public sealed class LocalPostgresResource(string name, string home, string? external) : Resource(name), IResourceWithConnectionString
{
    private readonly TaskCompletionSource<string> _connectionString = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal string Home => home;

    internal string? External => external;

    internal EmbeddedPostgres? Embedded { get; set; }

    private int _stopped;

    /// <summary>Stops the embedded server (once); an external one is left alone.</summary>
    public async Task StopAsync()
    {
        if (Embedded is { } embedded && Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await embedded.DisposeAsync();
        }
    }

    internal List<LocalPostgresDatabaseResource> Databases { get; } = [];

    /// <summary>The server's connection string once it accepts connections (to the <c>postgres</c> database).</summary>
    internal Task<string> ConnectionStringTask => _connectionString.Task;

    internal void SetConnectionString(string value) => _connectionString.TrySetResult(value);

    internal void Fail(Exception cause) => _connectionString.TrySetException(cause);

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{new Deferred(Name, () => ConnectionStringTask)}");

    /// <summary>A value known once the server runs; the manifest never sees it (publish mode uses the container).</summary>
    internal sealed class Deferred(string name, Func<Task<string>> value) : IValueProvider, IManifestExpressionProvider
    {
        public string ValueExpression => $"{{{name}.connectionString}}";

        public async ValueTask<string?> GetValueAsync(CancellationToken cancellationToken = default) =>
            await value().WaitAsync(cancellationToken);
    }
}
