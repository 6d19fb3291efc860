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
}
