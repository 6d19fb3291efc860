using Analytics.Core.Sources;

namespace Analytics.Core.Ingest;

/// <summary>Maps a file's header to a source's declared columns.</summary>
public static class SourceHeader
{
    /// <summary>
    /// A header name as a column name: trimmed, without a UTF-8 byte-order mark (every spreadsheet export has one),
    /// lower case, with spaces and hyphens as underscores ("Top-up Amount" is top_up_amount).
    /// </summary>
    public static string Standardize(string name, bool first = false)
    {
        var text = (first ? name.TrimStart('\uFEFF') : name).Trim().ToLowerInvariant();
        return string.Join('_', text.Split([' ', '-', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// For each declared column, its position in <paramref name="header"/> (-1 when absent), or says why the header is
    /// unusable: a name given twice, or a required column missing. Columns the source does not declare are ignored.
    /// </summary>
    public static int[] Map(SourceDeclaration source, IReadOnlyList<string> header, out string? problem)
    {
        problem = null;
        var names = header.Select((h, i) => Standardize(h, i == 0)).ToList();
        var repeated = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1 && g.Key.Length > 0);
        if (repeated is not null)
        {
            problem = $"the header names column '{repeated.Key}' twice; keep one";
        }

        var required = source.RequiredColumns.ToList();
        var missing = required.Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            problem = $"the header lacks the required column(s) {string.Join(", ", missing)}; the header must name "
                      + $"{string.Join(", ", required)} (and may name {string.Join(", ", source.Columns.Select(c => c.Name).Except(required))})";
        }

        return source.Columns.Select(c => names.IndexOf(c.Name)).ToArray();
    }
}
