namespace Analytics.Core.Assets;

/// <summary>The unique name of an asset, e.g. <c>stg_events</c>.</summary>
public sealed record AssetKey(string Name) : IComparable<AssetKey>
{
    public int CompareTo(AssetKey? other) => string.CompareOrdinal(Name, other?.Name);

    public override string ToString() => Name;

    public static implicit operator AssetKey(string name) => new(name);
}
