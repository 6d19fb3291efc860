using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Core.Alerting;

/// <summary>
/// Reads <c>assets-sql/alerts.yml</c>:
/// <code>
/// alerts:
///   - name: run_failed
///     kind: run_failed            # run_failed, check_failed, freshness or metric
///   - name: growth_shrinking
///     kind: metric
///     description: The growth signal of the latest period turned shrinking
///     sql: select ... from {{ ref('quick_ratio_analysis') }} where ...   # rows = breach
/// </code>
/// Every problem is an <see cref="AssetDeclarationException"/> naming the file, the rule and the fix.
/// </summary>
public static class AlertFile
{
    public const string FileName = "alerts.yml";

    /// <summary>The most rules one file may declare: each is evaluated every few seconds.</summary>
    public const int MaxRules = 200;

    public static IReadOnlyList<AlertRule> Load(string assetsFolder)
    {
        var path = Path.Combine(assetsFolder, FileName);
        return File.Exists(path) ? Parse(path, File.ReadAllText(path)) : [];
    }

    public static IReadOnlyList<AlertRule> Parse(string path, string text)
    {
        var entries = ProjectYaml.ReadList(path, text, "alerts", "rules (name, kind)", MaxRules, "Merge metric rules into fewer queries.");
        var rules = new List<AlertRule>();
        foreach (var (entry, index) in entries.Select((e, i) => (e, i)))
        {
            var where = $"{path}: alert #{index + 1}";
            if (entry is not Dictionary<object, object> map)
            {
                throw new AssetDeclarationException($"{where} must be a mapping with name and kind.");
            }

            var fields = AssetFileParser.Mapping(path, where, map);
            string? Text(string key) => fields.GetValueOrDefault(key) as string;
            var name = Text("name") ?? throw new AssetDeclarationException($"{where} has no name.");
            where = $"{path}: alert '{name}'";
            if (fields.Keys.FirstOrDefault(k => k is not ("name" or "kind" or "description" or "sql")) is { } unknown)
            {
                throw new AssetDeclarationException($"{where} has no field '{unknown}'; a rule has name, kind, description and (for metric rules) sql.");
            }

            var kind = Text("kind") switch
            {
                "run_failed" => AlertKind.RunFailed,
                "check_failed" => AlertKind.CheckFailed,
                "freshness" => AlertKind.Freshness,
                "metric" => AlertKind.Metric,
                var other => throw new AssetDeclarationException(
                    $"{where}: kind '{other}' is unknown; use run_failed, check_failed, freshness or metric."),
            };
            SqlTemplate? query = null;
            if (kind == AlertKind.Metric)
            {
                var sql = Text("sql");
                if (string.IsNullOrWhiteSpace(sql))
                {
                    throw new AssetDeclarationException($"{where}: a metric rule needs sql: a query whose rows describe the breach (none when all is well).");
                }

                try
                {
                    query = SqlTemplate.Parse(sql, $"{path} (alert {name})");
                }
                catch (TemplateException e)
                {
                    throw new AssetDeclarationException(e.Message);
                }
            }
            else if (fields.ContainsKey("sql"))
            {
                throw new AssetDeclarationException($"{where}: only metric rules take sql.");
            }

            if (rules.Any(r => r.Name == name))
            {
                throw new AssetDeclarationException($"{where} is declared twice; rule names are unique.");
            }

            rules.Add(new AlertRule(name, kind, (Text("description") ?? DefaultDescription(kind)).Trim(), query));
        }

        return rules;
    }

    private static string DefaultDescription(AlertKind kind) => kind switch
    {
        AlertKind.RunFailed => "A run failed",
        AlertKind.CheckFailed => "A blocking check failed",
        AlertKind.Freshness => "An asset is older than its freshness max_age",
        _ => "A metric rule fired",
    };
}
