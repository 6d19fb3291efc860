using Analytics.Core.Assets;
using Analytics.Core.Sources;

namespace Analytics.Warehouse.BigQuery;

/// <summary>The datasets and source tables: each declared source's schema, column for column as its load writes it.</summary>
public sealed partial class BigQueryWarehouse
{
    /// <summary>A declared source's table, column for column as its load writes it: load id, line, identity, declared columns.</summary>
    public static IReadOnlyList<BigQueryField> SchemaOf(AssetDefinition source)
    {
        var declaration = source.Source ?? throw new InvalidOperationException($"{source.SourcePath}: '{source.Key.Name}' declares no columns.");
        var fields = new List<BigQueryField> { new(declaration.LoadIdColumn, "INT64", "REQUIRED"), new("line_number", "INT64", "REQUIRED") };
        if (declaration.Identity is { } identity)
        {
            fields.Add(new BigQueryField(identity.Column, "STRING", "REQUIRED"));
        }

        fields.AddRange(declaration.Columns.Select(c => new BigQueryField(c.Name, TypeOf(c.Type), c.Required && c.When is null ? "REQUIRED" : "NULLABLE")));
        return fields;
    }

    /// <summary>The BigQuery type of a declared column.</summary>
    public static string TypeOf(SourceColumnType type) => type switch
    {
        SourceColumnType.Text => "STRING",
        SourceColumnType.Integer => "INT64",
        SourceColumnType.Numeric => "NUMERIC",
        SourceColumnType.Timestamp => "TIMESTAMP",
        SourceColumnType.Date => "DATE",
        _ => "BOOL",
    };

    /// <summary>A source's rejected rows: the load, file, line, raw text and reason.</summary>
    public static IReadOnlyList<BigQueryField> RejectedSchemaOf(AssetDefinition source) =>
    [
        new(source.Source?.LoadIdColumn ?? "load_id", "INT64", "REQUIRED"),
        new("file_path", "STRING", "REQUIRED"),
        new("line_number", "INT64", "REQUIRED"),
        new("raw_text", "STRING", "REQUIRED"),
        new("reason", "STRING", "REQUIRED"),
    ];

    public async Task EnsureSchemaAsync(IReadOnlyCollection<AssetDefinition> sources, CancellationToken cancellationToken)
    {
        foreach (var layer in Layers)
        {
            await client.EnsureDatasetAsync(_dialect.Dataset(layer), cancellationToken);
        }

        foreach (var source in sources.Where(s => s.Source is not null))
        {
            var key = source.Key.Name;
            await client.ExecuteAsync(CreateTableIfMissing(key, SchemaOf(source)), $"creating raw.{key}", cancellationToken);
            // A table made by an earlier declaration gains the columns declared since.
            foreach (var column in source.Source!.Columns)
            {
                await client.ExecuteAsync($"ALTER TABLE {_dialect.Relation("raw", key)} ADD COLUMN IF NOT EXISTS {column.Name} {TypeOf(column.Type)}",
                    $"adding {column.Name} to raw.{key}", cancellationToken);
            }

            await client.ExecuteAsync(CreateTableIfMissing(key + "_rejected", RejectedSchemaOf(source)), $"creating raw.{key}_rejected", cancellationToken);
        }
    }

    /// <summary>The DDL of a landing table.</summary>
    public string CreateTableIfMissing(string table, IReadOnlyList<BigQueryField> schema) =>
        $"CREATE TABLE IF NOT EXISTS {_dialect.Relation("raw", table)} (\n  "
        + string.Join(",\n  ", schema.Select(f => $"{f.Name} {f.Type}{(f.Mode == "REQUIRED" ? " NOT NULL" : "")}"))
        + "\n)";

    /// <summary>Makes the dataset of a layer outside the shipped ones (which <see cref="EnsureSchemaAsync"/> makes), once per process.</summary>
    private Task EnsureLayerAsync(string layer, CancellationToken cancellationToken) =>
        Layers.Contains(layer) ? Task.CompletedTask
            : _otherLayers.GetOrAdd(layer, l => client.EnsureDatasetAsync(_dialect.Dataset(l), cancellationToken));
}
