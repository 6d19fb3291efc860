using Microsoft.Extensions.Options;

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

/// <summary>Checks <see cref="ApiKeyOptions"/> when the API starts: a key or token a client could not send stops it, naming the setting.</summary>
public sealed class ApiKeyOptionsValidation : IValidateOptions<ApiKeyOptions>
{
    /// <summary>The longest key or token: a header value that long is already unusual.</summary>
    public const int MaxLength = 1_024;

    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        var problems = new List<string>();
        Check(problems, "Analytics:ApiKey", options.ApiKey);
        Check(problems, "Analytics:SignInToken", options.SignInToken);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Check(List<string> problems, string setting, string? value)
    {
        if (value is not null && (value.Length is 0 or > MaxLength || value.Any(c => c <= ' ' || c > '~')))
        {
            problems.Add($"{setting} must be 1 to {MaxLength:N0} printable ASCII characters without spaces (it travels in a header); "
                         + "generate one, e.g. with 'openssl rand -hex 24'");
        }
    }
}
