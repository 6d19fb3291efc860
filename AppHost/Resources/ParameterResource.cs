using System.Security.Cryptography;

namespace AppHost.Resources;

/// <summary>A value given in configuration (<c>Parameters:NAME</c>) or, for a secret, generated at start.</summary>
public sealed class ParameterResource(string name, string? configured, bool secret) : Resource(name)
{
    public string Value { get; } = configured ?? (secret ? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : "");

    public bool Secret { get; } = secret;

    /// <summary>Shown in the resource table (the API key a person needs); other secrets are masked.</summary>
    public bool Printed { get; set; }

    public override Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        MarkReady(configured is null ? "generated" : "configured");
        return Task.CompletedTask;
    }
}
