using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.RunStore;

namespace Analytics.Api.Extensions;

/// <summary>What the request's principal may see of an asset: its classified columns masked unless the principal reads pii.</summary>
public sealed class ReadScopes(SecretStore secrets)
{
    public async Task<ReadScope> ForAsync(HttpContext http, AssetDefinition asset) =>
        ReadScope.For(http.Principal(), asset, await secrets.GetAsync(SecretStore.MaskKey));

    /// <summary>
    /// Whether the request may see the failing rows a check kept as its sample. The engine read them unrestricted, so
    /// they go only to a principal who sees every tenant's rows, and every column in the clear where any is classified.
    /// </summary>
    public static bool SeesSamples(HttpContext http, AssetDefinition? asset)
    {
        var principal = http.Principal();
        return principal.Tenant is null && (principal.SeesPii || asset is null || asset.Classification.Count == 0);
    }

    /// <summary>A check sample that may not be shown: no rows, and a note why in place of the first.</summary>
    public static readonly System.Text.Json.JsonElement WithheldSample =
        System.Text.Json.JsonSerializer.SerializeToElement(new[] { "sample withheld: it may hold other tenants' rows or classified values; a key of every tenant with the pii permission shows it" });
}
