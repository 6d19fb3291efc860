namespace Analytics.Core.Sources;

/// <summary>
/// One declared column of a source and its rules. <see cref="When"/>, if set, limits the rules to the rows whose
/// <c>When.Column</c> holds one of <c>When.Values</c>; on any other row a value that does not parse loads as null.
/// </summary>
public sealed record SourceColumn(string Name, SourceColumnType Type)
{
    public bool Required { get; init; }

    public IReadOnlyList<string> AcceptedValues { get; init; } = [];

    /// <summary>A regular expression the whole value must match, and what it means in words (for the rejection).</summary>
    public SourcePattern? Pattern { get; init; }

    /// <summary>The most characters a value may have; <see cref="SourceDeclaration.MaxFieldLength"/> when not declared.</summary>
    public int MaxLength { get; init; } = SourceDeclaration.MaxFieldLength;

    public decimal? Min { get; init; }

    public decimal? Max { get; init; }

    public SourceCondition? When { get; init; }

    /// <summary>Whether any rule beyond type and required applies (accepted values, pattern, range).</summary>
    public bool HasRules => AcceptedValues.Count > 0 || Pattern is not null || Min is not null || Max is not null;
}

/// <summary>A pattern rule: <see cref="Regex"/> must match the whole value; <see cref="Means"/> says what that is.</summary>
public sealed record SourcePattern(System.Text.RegularExpressions.Regex Regex, string Means);

/// <summary>Rows whose <see cref="Column"/> holds one of <see cref="Values"/>.</summary>
public sealed record SourceCondition(string Column, IReadOnlyList<string> Values);
