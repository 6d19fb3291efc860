using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;
using Analytics.Ingest;
using Npgsql;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// Ingest into BigQuery: the file goes through the same reader and validator as on PostgreSQL; the valid rows are
/// written as a clean CSV, uploaded to the GCS staging prefix and loaded into <c>raw.KEY</c> by a load job carrying the
/// declared schema; rejected rows, with their reasons, go the same way into <c>raw.KEY_rejected</c>.
/// The manifest lives in the run store (PostgreSQL) and commits only after BigQuery has the rows, so re-ingesting
/// the same content is a no-op and a failed load can simply be run again.
/// </summary>
public sealed class BigQuerySourceIngestor(BigQueryWarehouse warehouse, GcsClient storage, NpgsqlDataSource runStore, EventTimeRange? times = null)
    : ISourceIngestor
{
    private readonly EventTimeRange _times = times ?? EventTimeRange.Default;

    public async Task<IngestResult> IngestAsync(AssetDefinition source, string file, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var declaration = IngestFile.Declaration(source);
        var key = source.Key.Name;
        var clock = Stopwatch.StartNew();
        var staging = StagingFor(path);
        await IngestManifest.EnsureAsync(runStore, cancellationToken);
        using var content = await IngestFile.OpenAsync(file, cancellationToken);
        var (hash, bytes) = (content.Hash, content.Bytes);
        await using var connection = await runStore.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (existing, fileId) = await IngestManifest.BeginAsync(connection, transaction, key, hash, path, bytes, cancellationToken);
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
                writer.Write(string.Join(",", BigQueryWarehouse.SchemaOf(source).Select(f => f.Name)) + "\n");
                var line = new StringBuilder(256);
                loaded = SourceFileReader.Read(declaration, content, path, _times, (number, row) =>
                {
                    WriteRow(line.Clear(), fileId, number, row);
                    writer.Write(line);
                }, rejects, progress, cancellationToken);
            }

            await StagedLoad.LoadAsync(warehouse, storage, clean, staging, $"{key}/{hash}.csv", key, BigQueryWarehouse.SchemaOf(source),
                $"loading {path} into raw.{key}", replace: false, cancellationToken);
            if (rejects.Count > 0)
            {
                await StagedLoad.WriteRejectsAsync(rejected, source, fileId, path, rejects);
                await StagedLoad.LoadAsync(warehouse, storage, rejected, staging, $"{key}_rejected/{hash}.csv", key + "_rejected",
                    BigQueryWarehouse.RejectedSchemaOf(source), $"loading {path} into raw.{key}_rejected", replace: false, cancellationToken);
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
            return GcsUri.Parse(staging, "Analytics__BigQuery__Staging (ANALYTICS_GCS_STAGING)");
        }

        if (GcsUri.IsGcs(path))
        {
            return GcsUri.Parse(path, "the ingested path") with { Name = "_analytics_staging/" };
        }

        throw new BigQueryException(
            $"{path}: loading a local file into BigQuery goes through Cloud Storage; set Analytics__BigQuery__Staging (ANALYTICS_GCS_STAGING) to a gs://bucket/prefix the load job may read.");
    }

    /// <summary>One row in the column order of <see cref="BigQueryWarehouse.SchemaOf"/>; text is always quoted, NULL is empty.</summary>
    public static void WriteRow(StringBuilder line, long loadId, long number, SourceRow row)
    {
        var source = row.Source;
        line.Append(loadId.ToString(CultureInfo.InvariantCulture)).Append(',').Append(number.ToString(CultureInfo.InvariantCulture));
        if (source.Identity is not null)
        {
            line.Append(',').Append(row.Id.ToString("D"));
        }

        for (var i = 0; i < source.Columns.Count; i++)
        {
            line.Append(',');
            ref readonly var value = ref row.Values[i];
            if (value.IsNull)
            {
                continue;
            }

            switch (source.Columns[i].Type)
            {
                case SourceColumnType.Text:
                    line.Append(Quote(value.Text));
                    break;
                case SourceColumnType.Numeric:
                    line.Append(value.Decimal.ToString(CultureInfo.InvariantCulture));
                    break;
                case SourceColumnType.Timestamp:
                    line.Append(new DateTime(value.Long, DateTimeKind.Utc).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append("+00:00");
                    break;
                case SourceColumnType.Date:
                    line.Append(DateOnly.FromDayNumber((int)value.Long).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case SourceColumnType.Boolean:
                    line.Append(value.Long != 0 ? "true" : "false");
                    break;
                default:
                    line.Append(value.Long.ToString(CultureInfo.InvariantCulture));
                    break;
            }
        }

        line.Append('\n');
    }

    /// <summary>An extraction's target that loads into the same warehouse, through the same staging, keeping its bookkeeping in the same run store.</summary>
    public BigQueryExtractionTarget ExtractionTarget() => new(warehouse, storage, runStore);

    /// <summary>A CSV field: quoted with inner quotes doubled; null is an empty, unquoted field (which BigQuery loads as NULL).</summary>
    internal static string Quote(string? text) =>
        text is null ? "" : "\"" + text.Replace("\0", "\\0").Replace("\"", "\"\"") + "\"";
}
