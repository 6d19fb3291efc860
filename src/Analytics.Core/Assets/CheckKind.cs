namespace Analytics.Core.Assets;

public enum CheckKind
{
    NotNull,
    Unique,
    AcceptedValues,
    Relationships,
    Expression,
    RowCount,

    /// <summary>A query that returns the rows breaking a rule; it may use ref() and this.</summary>
    Query,

    /// <summary>Generated from a header's <c>classification</c>: every classified column is in the built table.</summary>
    ClassifiedColumns,
}
