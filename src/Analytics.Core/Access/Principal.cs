namespace Analytics.Core.Access;

/// <summary>Who a request acts as: a key's name (never the key), its role, and the tenant it is scoped to, if any.</summary>
public sealed record Principal(string Name, Role Role, string? Tenant = null)
{
    /// <summary>Whether this principal may do what <paramref name="required"/> allows.</summary>
    public bool Has(Role required) => Role >= required;
}
