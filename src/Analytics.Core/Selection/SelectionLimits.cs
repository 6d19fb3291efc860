namespace Analytics.Core.Selection;

/// <summary>
/// What a selection may hold, the same for the CLI and the API: each limit is far above any real selection and
/// far below what would make parsing or resolving expensive (or recursive enough to overflow the stack).
/// </summary>
public static class SelectionLimits
{
    /// <summary>Characters of selection text.</summary>
    public const int MaxLength = 4_096;

    /// <summary>Terms (asset names, methods, <c>*</c>) in one selection.</summary>
    public const int MaxTerms = 256;

    /// <summary>Parentheses and <c>not</c> nested inside one another.</summary>
    public const int MaxNesting = 32;

    /// <summary>The hop count of <c>2+x</c> or <c>x+3</c>; no real graph is this deep.</summary>
    public const int MaxHops = 1_000;
}
