using System.Security.Cryptography;
using System.Text;
using Analytics.Core.Assets;

namespace Analytics.Core.Access;

/// <summary>
/// What one read of a warehouse relation may see: the columns it gets masked, with the key that masks them, and the
/// tenant its rows are limited to (null: every tenant). A masked value is a keyed hash, the same for the same value
/// in every table and every read, so counts, groupings, filters and joins on it still work while the value does not
/// come back.
/// </summary>
public sealed record ReadScope(IReadOnlySet<string> Masked, byte[] MaskKey, string? Tenant)
{
    /// <summary>What a masked value starts with; the UI shows such a value as masked.</summary>
    public const string MaskPrefix = "masked:";

    /// <summary>Hex characters of the hash kept: 64 bits, so distinct values stay distinct among billions.</summary>
    public const int MaskHexLength = 16;

    /// <summary>Every column in the clear, every tenant: the engine's own reads.</summary>
    public static readonly ReadScope Unrestricted = new(new HashSet<string>(), [], null);

    /// <summary>The scope of <paramref name="principal"/> reading <paramref name="asset"/>.</summary>
    public static ReadScope For(Principal principal, AssetDefinition asset, byte[] maskKey) => new(
        principal.SeesPii ? new HashSet<string>() : asset.Classification.Keys.ToHashSet(StringComparer.Ordinal),
        maskKey,
        principal.Tenant);

    public bool IsMasked(string column) => Masked.Contains(column);

    /// <summary>
    /// The masked form of <paramref name="text"/>: SHA-256 over the key's bytes then the text's UTF-8 bytes, its first
    /// <see cref="MaskHexLength"/> hex digits. A warehouse computing it in SQL computes exactly this.
    /// </summary>
    public static string Mask(byte[] key, string text)
    {
        var value = Encoding.UTF8.GetBytes(text);
        var input = new byte[key.Length + value.Length];
        key.CopyTo(input, 0);
        value.CopyTo(input, key.Length);
        return MaskPrefix + Convert.ToHexStringLower(SHA256.HashData(input))[..MaskHexLength];
    }
}
