namespace Analytics.Core.Access;

/// <summary>
/// Who a request acts as: a key's name (never the key), its role, the tenant it is scoped to, if any, and whether it
/// may read classified (<c>pii</c>) columns in the clear. An admin always may.
/// </summary>
public sealed record Principal(string Name, Role Role, string? Tenant = null, bool Pii = false)
{
    /// <summary>Who an unauthenticated read acts as where reads are public: a viewer of every tenant, classified columns masked.</summary>
    public static readonly Principal Anonymous = new("anonymous", Role.Viewer);

    /// <summary>Whether this principal may do what <paramref name="required"/> allows.</summary>
    public bool Has(Role required) => Role >= required;

    /// <summary>Whether classified columns come back in the clear (or masked).</summary>
    public bool SeesPii => Pii || Role == Role.Admin;
}
