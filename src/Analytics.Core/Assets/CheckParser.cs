namespace Analytics.Core.Assets;

/// <summary>
/// Turns one entry of a header's <c>checks:</c> list into a <see cref="CheckDefinition"/>. Entries are
/// <c>- not_null: col</c>, <c>- unique: [a, b]</c>, or a mapping such as
/// <c>- accepted_values: {column: c, values: [x, y], severity: warn}</c>.
/// </summary>
internal static class CheckParser
{
    private static readonly Dictionary<string, CheckKind> Kinds = new()
    {
        ["not_null"] = CheckKind.NotNull,
        ["unique"] = CheckKind.Unique,
        ["accepted_values"] = CheckKind.AcceptedValues,
        ["relationships"] = CheckKind.Relationships,
        ["expression"] = CheckKind.Expression,
        ["row_count"] = CheckKind.RowCount,
        ["query"] = CheckKind.Query,
    };

    public static CheckDefinition Parse(string path, string assetKey, int index, object entry)
    {
        var where = $"{path}: check #{index + 1}";
        if (entry is not Dictionary<object, object> map || map.Count != 1)
        {
            throw new AssetDeclarationException(
                $"{where} must be a single 'kind: arguments' entry, e.g. '- not_null: user_id'; kinds: {string.Join(", ", Kinds.Keys)}.");
        }

        var (rawKind, body) = map.First();
        if (!Kinds.TryGetValue(rawKind?.ToString() ?? "", out var kind))
        {
            throw new AssetDeclarationException($"{where}: unknown check '{rawKind}'; use one of {string.Join(", ", Kinds.Keys)}.");
        }

        var args = body switch
        {
            Dictionary<object, object> d => AssetFileParser.Mapping(path, where, d),
            _ => new Dictionary<string, object?> { [DefaultArgument(kind)] = body },
        };
        var columns = AssetFileParser.ReadStrings(where, args, args.ContainsKey("columns") ? "columns" : "column");
        var severity = (args.GetValueOrDefault("severity") as string ?? "error").ToLowerInvariant() switch
        {
            "error" => CheckSeverity.Error,
            "warn" => CheckSeverity.Warn,
            var s => throw new AssetDeclarationException($"{where}: severity '{s}' is unknown; use error or warn."),
        };

        var check = new CheckDefinition(
            Name: "",
            kind,
            severity,
            columns,
            AssetFileParser.ReadStrings(where, args, "values"),
            Expression: args.GetValueOrDefault("sql") as string ?? args.GetValueOrDefault("expression") as string,
            ToAsset: args.GetValueOrDefault("to") is string to ? new AssetKey(to) : null,
            ToColumn: args.GetValueOrDefault("field") as string,
            Min: ReadLong(where, args, "min"),
            Max: ReadLong(where, args, "max"));
        Validate(where, check);
        var name = args.GetValueOrDefault("name") as string ?? DefaultName(assetKey, check);
        return check with { Name = name };
    }

    private static string DefaultArgument(CheckKind kind) => kind switch
    {
        CheckKind.Expression or CheckKind.Query => "sql",
        CheckKind.RowCount => "min",
        _ => "columns",
    };

    private static void Validate(string where, CheckDefinition check)
    {
        string? problem = check.Kind switch
        {
            CheckKind.NotNull or CheckKind.Unique when check.Columns.Count == 0 => "needs one or more columns",
            CheckKind.AcceptedValues when check.Columns.Count != 1 || check.Values.Count == 0 =>
                "needs 'column' and a non-empty 'values' list",
            CheckKind.Relationships when check.Columns.Count != 1 || check.ToAsset is null || check.ToColumn is null =>
                "needs 'column', 'to' (an asset) and 'field'",
            CheckKind.Expression when string.IsNullOrWhiteSpace(check.Expression) => "needs 'sql', a predicate every row must satisfy",
            CheckKind.Query when string.IsNullOrWhiteSpace(check.Expression) => "needs 'sql', a query returning the rows that break the rule",
            CheckKind.RowCount when check.Min is null && check.Max is null => "needs 'min', 'max' or both",
            _ => null,
        };
        if (problem is not null)
        {
            throw new AssetDeclarationException($"{where} ({check.Kind}) {problem}.");
        }
    }

    private static long? ReadLong(string where, Dictionary<string, object?> args, string field) =>
        args.GetValueOrDefault(field) switch
        {
            null => null,
            string s when long.TryParse(s, out var n) => n,
            var other => throw new AssetDeclarationException($"{where}: '{field}' must be a whole number, not '{other}'."),
        };

    private static string DefaultName(string assetKey, CheckDefinition check)
    {
        var kind = Kinds.First(k => k.Value == check.Kind).Key;
        var subject = check.Kind switch
        {
            CheckKind.Expression or CheckKind.Query => Slug(check.Expression!),
            CheckKind.RowCount => "rows",
            _ => string.Join("_", check.Columns),
        };
        return $"{assetKey}__{kind}__{subject}";
    }

    private static string Slug(string text)
    {
        var slug = new string(text.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray());
        while (slug.Contains("__", StringComparison.Ordinal))
        {
            slug = slug.Replace("__", "_", StringComparison.Ordinal);
        }

        slug = slug.Trim('_');
        return slug.Length > 40 ? slug[..40] : slug;
    }
}
