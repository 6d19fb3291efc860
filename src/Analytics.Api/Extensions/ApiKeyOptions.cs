namespace Analytics.Api.Extensions;

/// <summary>Bound from <c>Analytics</c>: <c>Analytics__ApiKey</c> and <c>Analytics__SignInToken</c> in the environment.</summary>
public sealed class ApiKeyOptions
{
    public string? ApiKey { get; set; }

    /// <summary>
    /// A one-time token for the sign-in link the AppHost prints (as the Aspire dashboard prints its token link):
    /// <c>/signin?token=...</c> sets the session cookie once, then the token is spent.
    /// </summary>
    public string? SignInToken { get; set; }

    /// <summary>
    /// Reads need a key too (any role): <c>Analytics__ReadsNeedKey=true</c>. Off by default, for the embedded local
    /// setup; a team's deployment turns it on (README, "Deploying for a team").
    /// </summary>
    public bool ReadsNeedKey { get; set; }
}
