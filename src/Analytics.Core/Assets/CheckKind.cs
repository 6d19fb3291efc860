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
}
