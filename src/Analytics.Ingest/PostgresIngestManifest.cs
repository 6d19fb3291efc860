using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.Ingest;

/// <summary>
/// The ingest manifest and the extraction watermarks where they live (the PostgreSQL warehouse, or the run store's
/// database beside BigQuery), read: the loads' watermark (the highest committed file id), a source's latest loads and
/// where its extraction stands. Before anything was loaded the tables may not exist yet: that reads as nothing loaded.
/// </summary>
public sealed class PostgresIngestManifest(NpgsqlDataSource manifest) : IIngestManifest
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

    public async Task<SourceLoads> LoadsAsync(string source, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var loads = new List<SourceLoad>();
        await using var command = manifest.CreateCommand(
            "select file_id, file_path, rows_loaded, rows_rejected, bytes, ingested_at, sum(rows_loaded) over (), sum(rows_rejected) over () "
            + "from raw.ingest_manifest where source = $1 order by file_id desc limit $2");
        command.Parameters.AddWithValue(source);
        command.Parameters.AddWithValue(limit);
        long loaded = 0, rejected = 0;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                loads.Add(new SourceLoad(reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                    reader.GetFieldValue<DateTimeOffset>(5)));
                (loaded, rejected) = (reader.GetInt64(6), reader.GetInt64(7));
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedColumn)
        {
            return SourceLoads.None;
        }

        return new SourceLoads(loads, loaded, rejected);
    }

    public async Task<SourcePosition?> PositionAsync(string source, CancellationToken cancellationToken)
    {
        await using var command = manifest.CreateCommand("select position, cursor, updated_at from raw.source_watermarks where source = $1");
        command.Parameters.AddWithValue(source);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken)
                ? new SourcePosition(reader.IsDBNull(0) ? null : Shown(reader.GetString(0)),
                    reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1).Select(Shown).ToList(), reader.GetFieldValue<DateTimeOffset>(2))
                : null;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    /// <summary>A stored watermark value without its type tag (<c>t:2025-01-01T00:00:00.000000Z</c> shows as the time).</summary>
    private static string Shown(string stored) => stored.Length > 2 && stored[1] == ':' ? stored[2..] : stored;
}
