namespace Analytics.Core.Execution;

/// <summary>
/// Reads a mart query as the API receives it (<c>columns=a,b</c>, <c>filter=column:op:value</c> repeated,
/// <c>order=-column</c>, <c>group_by=a,b</c>) into a <see cref="TableQuery"/>. Every part has a limit; input past
/// one, or malformed, is a <see cref="TableQueryException"/> that says the rule and repeats at most 200 characters.
/// </summary>
public static class TableQueryParser
{
    public const int MaxColumns = 64;
    public const int MaxFilters = 16;
    public const int MaxValueLength = 200;

    private static readonly Dictionary<string, FilterOperator> Operators = Enum.GetValues<FilterOperator>()
        .ToDictionary(o => o.ToString().ToLowerInvariant(), StringComparer.Ordinal);

    public static TableQuery Parse(string? columns, IReadOnlyList<string?> filters, string? order, string? groupBy, int limit)
    {
        var names = Names(columns, "columns");
        if (filters.Count > MaxFilters)
        {
            throw new TableQueryException($"At most {MaxFilters} filter parameters are read; {filters.Count} were sent.");
        }

        var parsed = new List<TableFilter>(filters.Count);
        foreach (var text in filters)
        {
            var parts = (text ?? "").Split(':', 3);
            if (parts.Length != 3 || parts[0].Length == 0 || !Operators.TryGetValue(parts[1], out var op) || parts[2].Length > MaxValueLength)
            {
                throw new TableQueryException($"filter={Clip(text ?? "")} is not column:op:value with op one of "
                                              + $"{string.Join(", ", Operators.Keys)} and a value of at most {MaxValueLength} characters, "
                                              + "e.g. filter=grain:eq:week or filter=date:gte:2025-01-01.");
            }

            parsed.Add(new TableFilter(parts[0], op, parts[2]));
        }

        var descending = order?.StartsWith('-') == true;
        var orderBy = descending ? order![1..] : order;
        if (orderBy is { Length: 0 or > MaxValueLength })
        {
            throw new TableQueryException("order names one column, with a leading '-' for descending, e.g. order=-date.");
        }

        return new TableQuery(names, parsed, orderBy, descending, limit) { GroupBy = Names(groupBy, "group_by") };
    }

    private static List<string> Names(string? text, string parameter)
    {
        var parts = (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return parts.Length > MaxColumns || parts.Any(n => n.Length > MaxValueLength)
            ? throw new TableQueryException($"{parameter} names at most {MaxColumns} columns of at most {MaxValueLength} characters each.")
            : parts.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string Clip(string text) => text.Length <= MaxValueLength ? text : $"{text[..MaxValueLength]}... ({text.Length:N0} characters)";
}
