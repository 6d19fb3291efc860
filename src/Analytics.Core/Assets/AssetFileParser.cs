using Analytics.Core.Templating;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Analytics.Core.Assets;

/// <summary>
/// Reads one <c>assets-sql/&lt;layer&gt;/&lt;key&gt;.sql</c> file: a leading <c>/* ... */</c> comment holding YAML
/// metadata, then the SQL template.
/// </summary>
public static partial class AssetFileParser
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder().Build();

    /// <summary>Parses one asset file; any problem with it is an <see cref="AssetDeclarationException"/> naming the file.</summary>
    public static (AssetDefinition Asset, SqlTemplate Template) Parse(string path, string layer, string text)
    {
        try
        {
            return ParseFile(path, layer, text);
        }
        catch (TemplateException e)
        {
            throw new AssetDeclarationException(e.Message);
        }
    }

    private static (AssetDefinition Asset, SqlTemplate Template) ParseFile(string path, string layer, string text)
    {
        var key = System.IO.Path.GetFileNameWithoutExtension(path);
        if (!AssetKey.IsValid(key))
        {
            throw new AssetDeclarationException($"{path}: the asset key '{Shorten(key)}' (the file's name) must be {AssetKey.Rule}, "
                                                + "since it becomes the table's name; rename the file.");
        }

        if (!AssetKey.IsValid(layer))
        {
            throw new AssetDeclarationException($"{path}: the layer '{Shorten(layer)}' (the folder's name) must be {AssetKey.Rule}, "
                                                + "since it becomes the schema's name; rename the folder.");
        }

        var (header, sql, sqlFirstLine) = SplitHeader(path, text);
        var meta = ParseYaml(path, header);

        var materialization = ReadMaterialization(path, meta);
        var template = SqlTemplate.Parse(sql, path, sqlFirstLine);
        if (materialization != Materialization.Source && string.IsNullOrWhiteSpace(sql))
        {
            throw new AssetDeclarationException($"{path}: the asset has no SQL after its header; write the SELECT that builds it.");
        }

        var checks = ((meta.GetValueOrDefault("checks") as List<object>) ?? [])
            .Select((c, i) => CheckParser.Parse(path, key, i, c))
            .ToList();
        var classification = ReadClassification(path, text, meta);
        if (classification.Count > 0)
        {
            checks.Add(ClassifiedColumnsCheck(key, classification));
        }

        // An asset a check reads (relationships, or ref() in its SQL) is a dependency too (lineage, selection, the run's
        // order), but only that check waits for it, not the build (CheckDependencies), as dbt runs its tests.
        var reads = template.References().Select(r => new AssetKey(r.Name)).Distinct().ToList();
        var dependencies = reads.Concat(checks.SelectMany(c => CheckReads(path, c))).Distinct().ToList();
        var asset = new AssetDefinition(
            new AssetKey(key),
            layer,
            materialization,
            (meta.GetValueOrDefault("description") as string ?? "").Trim(),
            ReadStrings(path, meta, "tags"),
            meta.GetValueOrDefault("owner") as string,
            checks,
            sql,
            path,
            sqlFirstLine,
            dependencies,
            ReadFreshness(path, meta))
        {
            PartitionBy = ReadLayoutColumns(path, meta, "partition_by", 1, materialization).SingleOrDefault(),
            ClusterBy = ReadLayoutColumns(path, meta, "cluster_by", 4, materialization),
            Indexes = ReadIndexes(path, meta, materialization),
            LoadId = ReadLoadId(path, meta, materialization),
            Classification = classification,
            CheckDependencies = dependencies.Except(reads).ToList(),
        };
        if (ReadSource(path, text, meta, materialization, asset.PartitionBy, asset.LoadId) is { } source)
        {
            asset = asset with { Source = source, LoadId = source.LoadIdColumn };
        }

        asset = asset with { Incremental = ReadIncremental(path, meta, asset), Snapshot = ReadSnapshot(path, meta, materialization) };
        if (asset.Snapshot is { } snapshot)
        {
            asset = asset with { Checks = [.. asset.Checks, .. SnapshotChecks(key, snapshot)] };
        }
        if (asset.Incremental?.Affected is { } affected)
        {
            // Its ref()s are dependencies too: the partitions are worked out from what they hold after they build.
            var affectedReads = AffectedTemplate(path, affected).References().Select(r => new AssetKey(r.Name)).ToList();
            asset = asset with
            {
                Dependencies = asset.Dependencies.Concat(affectedReads).Distinct().ToList(),
                CheckDependencies = asset.CheckDependencies.Except(affectedReads).ToList(),
            };
        }

        return (asset, template);
    }

    /// <summary>The SQL of an expression or query check, as a template (it may use ref() and this).</summary>
    public static SqlTemplate CheckTemplate(string path, CheckDefinition check) =>
        SqlTemplate.Parse(check.Expression ?? "", $"{path} (check {check.Name})");

    /// <summary>The other assets a check reads: a relationships check's <c>to</c>, the ref()s of its SQL.</summary>
    public static IEnumerable<AssetKey> CheckReads(string path, CheckDefinition check) =>
        (check.ToAsset is { } to ? [to] : Enumerable.Empty<AssetKey>())
        .Concat(check.Expression is null ? [] : CheckTemplate(path, check).References().Select(r => new AssetKey(r.Name)));

    private static (string Header, string Sql, int SqlFirstLine) SplitHeader(string path, string text)
    {
        var trimmed = text.TrimStart();
        if (!trimmed.StartsWith("/*", StringComparison.Ordinal))
        {
            return ("", text, 1);
        }

        var start = text.IndexOf("/*", StringComparison.Ordinal);
        var end = text.IndexOf("*/", start + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new AssetDeclarationException($"{path}:1: the header comment '/*' is never closed; add '*/' after the YAML.");
        }

        var header = text[(start + 2)..end];
        var body = text[(end + 2)..];
        var firstLine = 1 + text[..(end + 2)].Count(c => c == '\n');
        return (header, body, firstLine);
    }

    private static Dictionary<string, object?> ParseYaml(string path, string header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return [];
        }

        try
        {
            var parsed = Yaml.Deserialize<object>(header);
            if (parsed is null)
            {
                return [];
            }

            if (parsed is not Dictionary<object, object> map)
            {
                throw new AssetDeclarationException($"{path}:1: the header must be a YAML mapping (description:, materialization:, ...).");
            }

            return Mapping(path, "the header", map);
        }
        catch (YamlException e)
        {
            throw new AssetDeclarationException(
                $"{path}:{e.Start.Line}: the YAML header does not parse ({e.InnerException?.Message ?? e.Message}).");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            // YamlDotNet lets these escape on some malformed input (found by scripts/fuzz: a bad global tag, a lone
            // surrogate in an escape, a second document's tokens); they are still a header that does not parse.
            throw new AssetDeclarationException($"{path}:1: the YAML header does not parse ({e.Message}).");
        }
    }

    /// <summary><c>freshness: {max_age: 30m}</c>: how old the asset may get before it counts as stale (and breaches its SLA).</summary>
    private static TimeSpan? ReadFreshness(string path, Dictionary<string, object?> meta)
    {
        const string Example = "write e.g. 'freshness: {max_age: 30m}' (units s, m, h, d, w; at most a year)";
        switch (meta.GetValueOrDefault("freshness"))
        {
            case null:
                return null;
            case Dictionary<object, object> map:
                var fields = Mapping(path, "freshness", map);
                if (fields.Keys.FirstOrDefault(k => k != "max_age") is { } unknown)
                {
                    throw new AssetDeclarationException($"{path}: freshness has no field '{unknown}'; {Example}.");
                }

                var text = fields.GetValueOrDefault("max_age") as string;
                return DurationText.TryParse(text)
                       ?? throw new AssetDeclarationException($"{path}: freshness max_age '{text}' is not a duration; {Example}.");
            default:
                throw new AssetDeclarationException($"{path}: freshness must be a mapping; {Example}.");
        }
    }

    private static Materialization ReadMaterialization(string path, Dictionary<string, object?> meta)
    {
        var value = meta.GetValueOrDefault("materialization") as string ?? "table";
        return value.Trim().ToLowerInvariant() switch
        {
            "table" => Materialization.Table,
            "view" => Materialization.View,
            "incremental" => Materialization.Incremental,
            "source" => Materialization.Source,
            "snapshot" => Materialization.Snapshot,
            _ => throw new AssetDeclarationException(
                $"{path}: materialization '{value}' is unknown; use table, view, incremental, snapshot or source."),
        };
    }

    /// <summary>A YAML mapping with text keys, each once (YAML allows <c>1:</c> and <c>"1":</c> side by side; we do not).</summary>
    internal static Dictionary<string, object?> Mapping(string path, string what, Dictionary<object, object> map)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            var name = key?.ToString() ?? "";
            if (name.Length == 0 || !result.TryAdd(name, value))
            {
                throw new AssetDeclarationException($"{path}: {what} names '{name}' twice or with an empty name; give each field once.");
            }
        }

        return result;
    }

    /// <summary><c>partition_by</c> or <c>cluster_by</c>: column names, at most <paramref name="max"/>, on tables only.</summary>
    private static List<string> ReadLayoutColumns(string path, IReadOnlyDictionary<string, object?> meta, string field, int max, Materialization materialization)
    {
        var columns = ReadStrings(path, meta, field);
        if (columns.Count == 0)
        {
            return columns;
        }

        if (materialization is Materialization.View || (materialization is Materialization.Source && field != "partition_by"))
        {
            throw new AssetDeclarationException($"{path}: '{field}' applies to tables only; remove it or make the asset a table.");
        }

        if (columns.Count > max)
        {
            throw new AssetDeclarationException($"{path}: '{field}' takes at most {max} column(s), not {columns.Count}.");
        }

        if (columns.FirstOrDefault(c => c.Length is 0 or > 300 || !(char.IsAsciiLetter(c[0]) || c[0] == '_') || !c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_')) is { } bad)
        {
            throw new AssetDeclarationException($"{path}: '{field}' names '{bad}', which is not a column name (letters, digits, underscores).");
        }

        return columns;
    }

    internal static List<string> ReadStrings(string path, IReadOnlyDictionary<string, object?> meta, string field) =>
        meta.GetValueOrDefault(field) switch
        {
            null => [],
            string s => [s],
            List<object> list when list.All(o => o is string) => list.Cast<string>().ToList(),
            _ => throw new AssetDeclarationException($"{path}: '{field}' must be a name or a list of names."),
        };

    private static string Shorten(string name) => name.Length <= 80 ? name : name[..80] + "...";
}
