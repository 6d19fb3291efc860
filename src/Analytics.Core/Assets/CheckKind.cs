namespace Analytics.Core.Assets;

public enum CheckKind
{
    NotNull,
    Unique,
    AcceptedValues,
    Relationships,
    Expression,
    RowCount,
}
