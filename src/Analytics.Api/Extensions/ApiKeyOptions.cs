namespace Analytics.Api.Extensions;

/// <summary>Bound from <c>Analytics</c>: <c>Analytics__ApiKey</c> in the environment.</summary>
public sealed class ApiKeyOptions
{
    public string? ApiKey { get; set; }
}
