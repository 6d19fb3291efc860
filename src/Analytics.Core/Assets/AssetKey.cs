using System.Text.RegularExpressions;

namespace Analytics.Core.Assets;

/// <summary>The unique name of an asset, e.g. <c>stg_events</c>.</summary>
public sealed partial record AssetKey(string Name) : IComparable<AssetKey>
{
    /// <summary>PostgreSQL's limit on a table name (NAMEDATALEN - 1); BigQuery's is longer.</summary>
    public const int MaxLength = 63;

    /// <summary>What an asset key, and a layer (its schema), may be: it becomes a table (or schema) name on every warehouse.</summary>
    public const string Rule = "lowercase letters, digits and underscores, starting with a letter or an underscore, at most 63 characters";

    public int CompareTo(AssetKey? other) => string.CompareOrdinal(Name, other?.Name);

    public override string ToString() => Name;

    public static implicit operator AssetKey(string name) => new(name);

    /// <summary>Whether <paramref name="name"/> follows <see cref="Rule"/>.</summary>
    public static bool IsValid(string name) => Pattern().IsMatch(name);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Pattern();
}
