using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Templating;
using Analytics.Ingest;

namespace Analytics.Warehouse.BigQuery;

/// <summary>How a CSV of ours reaches a <c>raw</c> table: uploaded under the staging prefix, then a load job with the declared schema.</summary>
internal static class StagedLoad
{
    /// <summary>Uploads <paramref name="file"/> as <paramref name="objectName"/> under <paramref name="staging"/> and loads it into <c>raw.TABLE</c>.</summary>
    public static async Task LoadAsync(BigQueryWarehouse warehouse, GcsClient storage, string file, GcsUri staging, string objectName, string table,
        IReadOnlyList<BigQueryField> schema, string what, bool replace, CancellationToken cancellationToken)
    {
        var prefix = staging.Name.Length == 0 || staging.Name.EndsWith('/') ? staging.Name : staging.Name + "/";
        var name = prefix + objectName;
        await storage.UploadAsync(file, staging.Bucket, name, "text/csv", cancellationToken);
        await warehouse.Client.LoadCsvAsync([$"gs://{staging.Bucket}/{name}"], ((BigQueryDialect)warehouse.Dialect).Dataset("raw"), table, schema,
            what, cancellationToken, replace);
    }

    /// <summary>The rejected rows, with their load, origin, place and reason, as a CSV in the columns of <see cref="BigQueryWarehouse.RejectedSchemaOf"/>.</summary>
    public static async Task WriteRejectsAsync(string file, AssetDefinition source, long loadId, string path, RejectSpool rejects)
    {
        await using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
        await writer.WriteAsync(string.Join(",", BigQueryWarehouse.RejectedSchemaOf(source).Select(f => f.Name)) + "\n");
        foreach (var (number, raw, reason) in rejects.ReadAll())
        {
            await writer.WriteAsync($"{loadId},{BigQuerySourceIngestor.Quote(path)},{number},{BigQuerySourceIngestor.Quote(raw)},{BigQuerySourceIngestor.Quote(reason)}\n");
        }
    }
}
