using System.Text.RegularExpressions;
using Analytics.Core.Templating;

namespace Analytics.Core.Assets;

public static partial class AssetFileParser
{
    private const int MaxLookback = 1000;
    private const int MaxKeyColumns = 4;

    /// <summary>The <c>affected:</c> SQL of an incremental asset, as a template (it may use ref() and changed()).</summary>
    public static SqlTemplate AffectedTemplate(string path, string sql) => SqlTemplate.Parse(sql, $"{path} (affected)");

    private static IncrementalSpec? ReadIncremental(string path, Dictionary<string, object?> meta, AssetDefinition asset)
    {
        string[] fields = asset.Materialization == Materialization.Snapshot
            ? ["grain", "lookback", "incremental_strategy", "affected"] // A snapshot's unique_key is its own (ReadSnapshot).
            : ["grain", "lookback", "unique_key", "incremental_strategy", "affected", "affects_later"];
        if (asset.Materialization != Materialization.Incremental)
        {
            if (fields.FirstOrDefault(meta.ContainsKey) is { } misplaced)
            {
                throw new AssetDeclarationException(
                    $"{path}: '{misplaced}' applies to incremental assets only; add 'materialization: incremental' or remove it.");
            }

            return null;
        }

        // Several key columns only for insert_new, whose key is an identity to probe; a replacement by key stages one column.
        var keyColumns = ReadLayoutColumns(path, meta, "unique_key", MaxKeyColumns, asset.Materialization);
        var uniqueKey = keyColumns.FirstOrDefault();
        if (asset.PartitionBy is null && uniqueKey is null)
        {
            if (fields.FirstOrDefault(meta.ContainsKey) is { } orphan)
            {
                throw new AssetDeclarationException(
                    $"{path}: '{orphan}' needs 'partition_by: <date column>' or 'unique_key: <column>', which say what a partition is.");
            }

            return null; // dbt's plain append: the SQL filters itself with is_incremental().
        }

        var grain = (meta.GetValueOrDefault("grain") as string ?? "day").Trim().ToLowerInvariant() switch
        {
            "day" => DatePart.Day,
            "week" => DatePart.Week,
            "month" => DatePart.Month,
            var other => throw new AssetDeclarationException($"{path}: grain '{other}' is unknown; use day, week or month."),
        };
        if (grain != DatePart.Day && asset.PartitionBy is null)
        {
            throw new AssetDeclarationException($"{path}: 'grain' applies to date partitions; add 'partition_by: <date column>' or remove it.");
        }

        var strategy = (meta.GetValueOrDefault("incremental_strategy") as string ?? "replace").Trim().ToLowerInvariant() switch
        {
            "replace" => IncrementalStrategy.Replace,
            "insert_new" => IncrementalStrategy.InsertNew,
            var other => throw new AssetDeclarationException(
                $"{path}: incremental_strategy '{other}' is unknown; use replace (rebuild what changed) or insert_new (add unseen keys)."),
        };
        if (strategy == IncrementalStrategy.InsertNew && uniqueKey is null)
        {
            throw new AssetDeclarationException($"{path}: incremental_strategy insert_new needs 'unique_key: <column>', the identity of a row.");
        }

        if (keyColumns.Count > 1 && strategy != IncrementalStrategy.InsertNew)
        {
            throw new AssetDeclarationException(
                $"{path}: a 'unique_key' of {keyColumns.Count} columns needs 'incremental_strategy: insert_new'; a replacement by key takes one column.");
        }

        var affected = meta.GetValueOrDefault("affected") switch
        {
            null => null,
            string sql when !string.IsNullOrWhiteSpace(sql) => sql,
            _ => throw new AssetDeclarationException($"{path}: 'affected' must be SQL selecting the partition starts (or keys) a change touches."),
        };
        if (affected is not null)
        {
            AffectedTemplate(path, affected);
        }

        var affectsLater = meta.GetValueOrDefault("affects_later") switch
        {
            null => false,
            bool b => b,
            string text when bool.TryParse(text.Trim(), out var b) => b,
            var other => throw new AssetDeclarationException($"{path}: affects_later '{other}' is not true or false."),
        };
        if (affectsLater && (asset.PartitionBy is null || strategy != IncrementalStrategy.Replace))
        {
            throw new AssetDeclarationException(
                $"{path}: 'affects_later' applies to date partitions that are replaced; add 'partition_by: <date column>' (and no insert_new) or remove it.");
        }

        return new IncrementalSpec(asset.PartitionBy, grain, ReadLookback(path, meta, grain), uniqueKey, strategy, affected) { AffectsLater = affectsLater, KeyColumns = keyColumns };
    }

    private static int ReadLookback(string path, Dictionary<string, object?> meta, DatePart grain)
    {
        var unit = grain.ToString().ToLowerInvariant();
        var example = $"write e.g. 'lookback: 3 {unit}s' (the asset's grain, at most {MaxLookback})";
        var text = meta.GetValueOrDefault("lookback") switch
        {
            null => null,
            string s => s,
            var other => Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture),
        };
        if (text is null)
        {
            return 0;
        }

        var match = LookbackPattern().Match(text.Trim());
        if (!match.Success || !int.TryParse(match.Groups["n"].Value, out var count) || count > MaxLookback)
        {
            throw new AssetDeclarationException($"{path}: lookback '{text}' is not a number of partitions; {example}.");
        }

        if (match.Groups["unit"].Success && !match.Groups["unit"].Value.StartsWith(unit, StringComparison.OrdinalIgnoreCase))
        {
            throw new AssetDeclarationException($"{path}: lookback '{text}' counts {match.Groups["unit"].Value}, but the partitions are {unit}s; {example}.");
        }

        return count;
    }

    private static string? ReadLoadId(string path, Dictionary<string, object?> meta, Materialization materialization)
    {
        var column = ReadStrings(path, meta, "load_id").SingleOrDefault();
        if (column is not null && materialization != Materialization.Source)
        {
            throw new AssetDeclarationException($"{path}: 'load_id' applies to sources only; remove it.");
        }

        return column is null ? null : ReadLayoutColumns(path, new Dictionary<string, object?> { ["partition_by"] = column }, "partition_by", 1, materialization)[0];
    }

    private static List<IReadOnlyList<string>> ReadIndexes(string path, Dictionary<string, object?> meta, Materialization materialization)
    {
        const int MaxIndexes = 8;
        if (meta.GetValueOrDefault("indexes") is not { } value)
        {
            return [];
        }

        if (value is not List<object> list || list.Count > MaxIndexes)
        {
            throw new AssetDeclarationException($"{path}: 'indexes' must be a list of at most {MaxIndexes} columns or column lists, e.g. [user_id, [user_id, event_date]].");
        }

        return list.Select(item => (IReadOnlyList<string>)ReadLayoutColumns(path, new Dictionary<string, object?> { ["indexes"] = item }, "indexes", 4,
            materialization == Materialization.View ? Materialization.View : Materialization.Table)).ToList();
    }

    [GeneratedRegex(@"^(?<n>\d{1,6})(\s*(?<unit>days?|weeks?|months?))?$", RegexOptions.IgnoreCase)]
    private static partial Regex LookbackPattern();
}
