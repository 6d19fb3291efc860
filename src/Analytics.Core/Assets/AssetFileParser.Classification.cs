using Analytics.Core.Access;

namespace Analytics.Core.Assets;

public static partial class AssetFileParser
{
    /// <summary>The most columns one header may classify.</summary>
    public const int MaxClassifiedColumns = 200;

    /// <summary>
    /// <c>classification: {user_id: pii}</c>: columns and their class. The column must exist in the built table,
    /// which the generated check <c>KEY__classified_columns_exist</c> asserts at every build.
    /// </summary>
    private static Dictionary<string, string> ReadClassification(string path, string text, IReadOnlyDictionary<string, object?> meta)
    {
        var classified = new Dictionary<string, string>(StringComparer.Ordinal);
        var value = meta.GetValueOrDefault("classification");
        if (value is null)
        {
            return classified;
        }

        var at = $"{path}:{LineOf(text, "classification:")}";
        var example = $"write e.g. 'classification: {{user_id: {ColumnClass.Pii}}}' (classes: {string.Join(", ", ColumnClass.Known)})";
        if (value is not Dictionary<object, object> map)
        {
            throw new AssetDeclarationException($"{at}: classification must map columns to a class; {example}.");
        }

        if (map.Count > MaxClassifiedColumns)
        {
            throw new AssetDeclarationException($"{at}: classification names {map.Count} columns, more than the {MaxClassifiedColumns} one header may.");
        }

        foreach (var (column, kind) in Mapping(path, "classification", map))
        {
            if (column.Length > 300 || !(char.IsAsciiLetter(column[0]) || column[0] == '_') || !column.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_'))
            {
                throw new AssetDeclarationException($"{at}: classification names '{Shorten(column)}', which is not a column name (letters, digits, underscores).");
            }

            if (kind is not string name || !ColumnClass.Known.Contains(name.Trim()))
            {
                throw new AssetDeclarationException($"{at}: column '{column}' has the class '{Shorten(kind?.ToString() ?? "")}', which is not one; {example}.");
            }

            classified[column] = name.Trim();
        }

        return classified;
    }

    /// <summary>The check every classifying asset gets: it fails the build, naming the column, when a classified column is not in the table.</summary>
    private static CheckDefinition ClassifiedColumnsCheck(string key, IReadOnlyDictionary<string, string> classification) =>
        new($"{key}__classified_columns_exist", CheckKind.ClassifiedColumns, CheckSeverity.Error, classification.Keys.Order(StringComparer.Ordinal).ToList(), []);

    /// <summary>
    /// The 1-based line, from line <paramref name="from"/> on, of the first line of <paramref name="text"/> that starts with
    /// <paramref name="field"/>, else of the first that holds it (a field inside a flow mapping); <paramref name="from"/> when none does.
    /// </summary>
    private static int LineOf(string text, string field, int from = 1)
    {
        int? holding = null;
        var line = 1;
        foreach (var row in text.AsSpan().EnumerateLines())
        {
            if (line >= from && row.TrimStart().StartsWith(field, StringComparison.Ordinal))
            {
                return line;
            }

            if (line >= from && holding is null && row.Contains(field, StringComparison.Ordinal))
            {
                holding = line;
            }

            line++;
        }

        return holding ?? from;
    }
}
