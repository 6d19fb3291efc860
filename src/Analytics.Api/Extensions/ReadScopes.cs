using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.RunStore;

namespace Analytics.Api.Extensions;

/// <summary>What the request's principal may see of an asset: its classified columns masked unless the principal reads pii.</summary>
public sealed class ReadScopes(SecretStore secrets)
{
    public async Task<ReadScope> ForAsync(HttpContext http, AssetDefinition asset) =>
        ReadScope.For(http.Principal(), asset, await secrets.GetAsync(SecretStore.MaskKey));
}
