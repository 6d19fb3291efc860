using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.Ingest;

/// <summary>The source watermark of raw_events: the ingest manifest's highest committed file id.</summary>
public sealed class ManifestWatermark(NpgsqlDataSource manifest) : ISourceWatermark
{
    public async Task<long> CurrentAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await IngestManifest.WatermarkAsync(manifest, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0; // Nothing was ever ingested.
        }
    }
}
