using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.Core.Ingest;
using Analytics.Ingest;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// Ingest into BigQuery: the file goes through the same reader and validator as on PostgreSQL; the valid rows are
/// written as a clean CSV, uploaded to the GCS staging prefix and loaded into <c>raw.raw_events</c> by a load job
/// carrying the table's schema; rejected rows, with their reasons, go the same way into <c>raw.raw_events_rejected</c>.
/// The manifest lives in the run store (PostgreSQL) and commits only after BigQuery has the rows, so re-ingesting
/// the same content is a no-op and a failed load can simply be run again.
/// </summary>
public sealed class BigQueryEventIngestor(BigQueryWarehouse warehouse, GcsClient storage, NpgsqlDataSource runStore, EventTimeRange? times = null)
    : IEventIngestor
{
    private readonly EventTimeRange _times = times ?? EventTimeRange.Default;

    public async Task<IngestResult> IngestAsync(string file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var staging = StagingFor(path);
        await WarehouseSchema.EnsureManifestAsync(runStore, cancellationToken);
        using var content = await IngestFile.OpenAsync(file, cancellationToken);
        var (hash, bytes) = (content.Hash, content.Bytes);
        await using var connection = await runStore.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (existing, fileId) = await IngestManifest.BeginAsync(connection, transaction, hash, path, bytes, cancellationToken);
        if (existing is not null)
        {
            return existing with { Duration = clock.Elapsed };
        }

        var clean = Path.Combine(Path.GetTempPath(), $"analytics-bq-{Guid.NewGuid():N}.csv");
        var rejected = Path.Combine(Path.GetTempPath(), $"analytics-bq-{Guid.NewGuid():N}-rejected.csv");
        try
        {
            using var rejects = new RejectSpool();
            long loaded;
            await using (var writer = new StreamWriter(clean, false, new UTF8Encoding(false), 1 << 16))
            {
                writer.Write(string.Join(",", BigQueryWarehouse.RawEventsSchema.Select(f => f.Name)) + "\n");
                var line = new StringBuilder(256);
                loaded = EventFileReader.Read(content, path, _times, (long number, in EventRow row) =>
                {
                    WriteEvent(line.Clear(), fileId, number, in row);
                    writer.Write(line);
                }, rejects, progress, cancellationToken);
            }

            await LoadAsync(clean, staging, "raw_events", hash, BigQueryWarehouse.RawEventsSchema, path, cancellationToken);
            if (rejects.Count > 0)
            {
                await using (var writer = new StreamWriter(rejected, false, new UTF8Encoding(false), 1 << 16))
                {
                    writer.Write(string.Join(",", BigQueryWarehouse.RejectedSchema.Select(f => f.Name)) + "\n");
                    foreach (var (number, raw, reason) in rejects.ReadAll())
                    {
                        writer.Write($"{fileId},{Quote(path)},{number},{Quote(raw)},{Quote(reason)}\n");
                    }
                }

                await LoadAsync(rejected, staging, "raw_events_rejected", hash, BigQueryWarehouse.RejectedSchema, path, cancellationToken);
            }

            await IngestManifest.CompleteAsync(connection, transaction, fileId, loaded, rejects.Count, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new IngestResult(path, fileId, false, loaded + rejects.Count, loaded, rejects.Count, clock.Elapsed);
        }
        finally
        {
            File.Delete(clean);
            File.Delete(rejected);
        }
    }

    /// <summary>
    /// Where validated files are uploaded before loading: <c>ANALYTICS_GCS_STAGING</c>, else (for a file that came
    /// from a bucket) <c>_analytics_staging/</c> in that bucket.
    /// </summary>
    public GcsUri StagingFor(string path)
    {
        if (warehouse.Client.Settings.Staging is { } staging)
        {
            return GcsUri.Parse(staging, "ANALYTICS_GCS_STAGING");
        }

        if (GcsUri.IsGcs(path))
        {
            return GcsUri.Parse(path, "the ingested path") with { Name = "_analytics_staging/" };
        }

        throw new BigQueryException(
            $"{path}: loading a local file into BigQuery goes through Cloud Storage; set ANALYTICS_GCS_STAGING to a gs://bucket/prefix the load job may read.");
    }

    private async Task LoadAsync(string file, GcsUri staging, string table, string hash, IReadOnlyList<BigQueryField> schema, string path,
        CancellationToken cancellationToken)
    {
        var prefix = staging.Name.Length == 0 || staging.Name.EndsWith('/') ? staging.Name : staging.Name + "/";
        var name = $"{prefix}{table}/{hash}.csv";
        await storage.UploadAsync(file, staging.Bucket, name, "text/csv", cancellationToken);
        var dialect = (Analytics.Core.Templating.BigQueryDialect)warehouse.Dialect;
        await warehouse.Client.LoadCsvAsync([$"gs://{staging.Bucket}/{name}"], dialect.Dataset("raw"), table, schema,
            $"loading {path} into raw.{table}", cancellationToken);
    }

    /// <summary>One row in the column order of <see cref="BigQueryWarehouse.RawEventsSchema"/>; text is always quoted, NULL is empty.</summary>
    private static void WriteEvent(StringBuilder line, long fileId, long number, in EventRow row)
    {
        line.Append(fileId.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(number.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(row.EventId.ToString("D")).Append(',')
            .Append(row.EventTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append("+00:00,")
            .Append(Quote(row.UserId)).Append(',')
            .Append(Quote(row.EventType)).Append(',')
            .Append(Quote(row.TransactionCategory)).Append(',')
            .Append(row.MilesAmount?.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(Quote(row.Platform)).Append(',')
            .Append(Quote(row.UtmSource)).Append(',')
            .Append(Quote(row.Country)).Append(',')
            .Append(Quote(row.TenantId)).Append('\n');
    }

    /// <summary>A CSV field: quoted with inner quotes doubled; null is an empty, unquoted field (which BigQuery loads as NULL).</summary>
    private static string Quote(string? text) =>
        text is null ? "" : "\"" + text.Replace("\0", "\\0").Replace("\"", "\"\"") + "\"";
}
