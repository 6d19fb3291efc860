namespace Analytics.Core.Graph;

/// <summary>Finds the known names closest to a misspelt one, for "did you mean" messages.</summary>
public static class NameSuggestions
{
    public static IReadOnlyList<string> Closest(string name, IEnumerable<string> candidates, int max = 3) =>
        candidates
            .Select(c => (Name: c, Distance: Distance(name, c)))
            .Where(c => c.Distance <= Math.Max(2, name.Length / 3) || c.Name.Contains(name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, StringComparer.Ordinal)
            .Take(max)
            .Select(c => c.Name)
            .ToList();

    public static string DidYouMean(string name, IEnumerable<string> candidates)
    {
        var closest = Closest(name, candidates);
        return closest.Count == 0 ? "" : $" Did you mean {string.Join(", ", closest.Select(c => $"'{c}'"))}?";
    }

    /// <summary>Levenshtein distance, case-insensitive.</summary>
    public static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
