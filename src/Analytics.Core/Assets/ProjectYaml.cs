using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Analytics.Core.Assets;

/// <summary>
/// The shape the project files beside the assets share (<c>schedules.yml</c>, <c>alerts.yml</c>): one top-level key
/// holding a list of mappings, at most so many. Every problem is an <see cref="AssetDeclarationException"/> naming the file.
/// </summary>
public static class ProjectYaml
{
    /// <summary>The entries under <paramref name="key"/>; none for an empty file.</summary>
    public static List<object> ReadList(string path, string text, string key, string example, int max, string advice)
    {
        object? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<object>(text);
        }
        catch (Exception e) when (e is YamlException or ArgumentException or InvalidOperationException or FormatException or OverflowException)
        {
            // YamlDotNet lets the last four escape on some malformed input (scripts/fuzz found them in asset headers).
            throw new AssetDeclarationException($"{path}: the YAML does not parse ({e.Message}).");
        }

        if (document is null)
        {
            return [];
        }

        if (document is not Dictionary<object, object> root || root.GetValueOrDefault(key) is not List<object> entries)
        {
            throw new AssetDeclarationException($"{path}: expected '{key}:' with a list of {example}.");
        }

        if (entries.Count > max)
        {
            throw new AssetDeclarationException($"{path}: {entries.Count} {key}; at most {max} are evaluated. {advice}");
        }

        return entries;
    }
}
