namespace Analytics.Postgres.Server;

public sealed class EmbeddedPostgresOptions
{
    /// <summary>False for throwaway test clusters: fsync off, nothing survives a machine crash.</summary>
    public bool Durable { get; set; } = true;

    public string SharedBuffers { get; set; } = "256MB";
}
