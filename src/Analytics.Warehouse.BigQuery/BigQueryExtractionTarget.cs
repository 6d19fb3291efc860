using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Templating;
using Analytics.Ingest;
using Npgsql;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// BigQuery as a database extraction's target: each window's valid rows are written to a CSV file as they are read,
/// uploaded to the staging prefix, loaded into <c>raw.KEY__extracted</c> (replaced each window) with the declared
/// schema, and merged into <c>raw.KEY</c> by primary key (the last version read of a key wins; a source without a key
/// appends); rejected rows go into <c>raw.KEY_rejected</c>. The load and the watermark commit in the run store after
/// BigQuery has the rows, so a window that fails half way is read and merged again, which the key makes harmless.
/// </summary>
public sealed class BigQueryExtractionTarget(BigQueryWarehouse warehouse, GcsClient storage, NpgsqlDataSource runStore) : IExtractionTarget
{
    public NpgsqlDataSource Bookkeeping => runStore;

    private BigQueryDialect Dialect => (BigQueryDialect)warehouse.Dialect;

    public async Task PrepareAsync(AssetDefinition source, CancellationToken cancellationToken)
    {
        await IngestManifest.EnsureAsync(runStore, cancellationToken);
        await warehouse.EnsureSchemaAsync([source], cancellationToken);
    }

    /// <summary>The statement that writes a window, loaded into <c>raw.KEY__extracted</c>, into <c>raw.KEY</c>.</summary>
    public static string MergeStatement(BigQueryDialect dialect, AssetDefinition source)
    {
        var key = source.Key.Name;
        var target = dialect.Relation("raw", key);
        var window = dialect.Relation("raw", key + "__extracted");
        var keys = source.Source!.PrimaryKey;
        if (keys.Count == 0)
        {
            return $"INSERT INTO {target}\nSELECT * FROM {window}";
        }

        var columns = BigQueryWarehouse.SchemaOf(source).Select(f => f.Name).ToList();
        return $"MERGE {target} AS existing\nUSING (\n"
               + $"SELECT * EXCEPT (version) FROM (\nSELECT *, ROW_NUMBER() OVER (PARTITION BY {string.Join(", ", keys)} ORDER BY line_number DESC) AS version\n"
               + $"FROM {window}\n) WHERE version = 1\n) AS incoming\n"
               + $"ON {string.Join(" AND ", keys.Select(k => $"existing.{k} = incoming.{k}"))}\n"
               + $"WHEN MATCHED THEN UPDATE SET {string.Join(", ", columns.Where(c => !keys.Contains(c)).Select(c => $"{c} = incoming.{c}"))}\n"
               + "WHEN NOT MATCHED THEN INSERT ROW";
    }

    public async Task<(WindowRead Read, long Rejected)> WriteAsync(AssetDefinition source, long loadId, string origin, WindowReader reader,
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var key = source.Key.Name;
        var staging = warehouse.Client.Settings.Staging is { } prefix
            ? GcsUri.Parse(prefix, "Analytics__BigQuery__Staging (ANALYTICS_GCS_STAGING)")
            : throw new BigQueryException($"{key}: extracting a database source into BigQuery goes through Cloud Storage; set Analytics__BigQuery__Staging (ANALYTICS_GCS_STAGING) to a "
                                          + "gs://bucket/prefix the load job may read.");
        var clean = Path.Combine(Path.GetTempPath(), $"analytics-bq-{Guid.NewGuid():N}.csv");
        var rejected = Path.Combine(Path.GetTempPath(), $"analytics-bq-{Guid.NewGuid():N}-rejected.csv");
        try
        {
            using var rejects = new RejectSpool();
            WindowRead read;
            await using (var writer = new StreamWriter(clean, false, new UTF8Encoding(false), 1 << 16))
            {
                await writer.WriteAsync(string.Join(",", BigQueryWarehouse.SchemaOf(source).Select(f => f.Name)) + "\n");
                var line = new StringBuilder(256);
                read = await reader((number, row) =>
                {
                    BigQuerySourceIngestor.WriteRow(line.Clear(), loadId, number, row);
                    writer.Write(line);
                }, null, rejects, cancellationToken);
            }

            if (read.Rows > 0)
            {
                await StagedLoad.LoadAsync(warehouse, storage, clean, staging, $"{key}/{key}__extracted-window-{loadId}.csv", key + "__extracted",
                    BigQueryWarehouse.SchemaOf(source), $"loading window {loadId} of {key} into raw.{key}__extracted", replace: true, cancellationToken);
                await warehouse.Client.ExecuteAsync(MergeStatement(Dialect, source), $"writing window {loadId} into raw.{key}", cancellationToken);
            }

            if (rejects.Count > 0)
            {
                await StagedLoad.WriteRejectsAsync(rejected, source, loadId, origin, rejects);
                await StagedLoad.LoadAsync(warehouse, storage, rejected, staging, $"{key}/{key}_rejected-window-{loadId}.csv", key + "_rejected",
                    BigQueryWarehouse.RejectedSchemaOf(source), $"loading window {loadId} of {key} into raw.{key}_rejected", replace: false, cancellationToken);
            }

            return (read, rejects.Count);
        }
        finally
        {
            File.Delete(clean);
            File.Delete(rejected);
        }
    }
}
