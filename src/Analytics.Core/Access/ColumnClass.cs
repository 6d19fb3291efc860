namespace Analytics.Core.Access;

/// <summary>
/// The classes an asset header may give a column (<c>classification: {user_id: pii}</c>). A classified column comes
/// back masked to a principal without the class's permission, and is left out of the Superset role's grants.
/// </summary>
public static class ColumnClass
{
    /// <summary>Personal data: masked unless the principal has the <c>pii</c> permission.</summary>
    public const string Pii = "pii";

    public static readonly IReadOnlyList<string> Known = [Pii];
}
