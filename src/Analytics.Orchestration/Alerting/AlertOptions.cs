namespace Analytics.Orchestration.Alerting;

/// <summary>
/// Bound from <c>Analytics:Alerts</c> (<c>Analytics__Alerts__...</c>); the Slack webhook comes from
/// <c>SLACK_WEBHOOK_URL</c>, as the seeds name it. A channel with no settings is off.
/// </summary>
public sealed class AlertOptions
{
    /// <summary>The origin links in messages point at (the gateway's URL); without it links are paths.</summary>
    public string? BaseUrl { get; set; }

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>How often a worker evaluates the rules and sends what is due.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per message before it is given up on (backoff doubles from 5 s, capped at 10 minutes).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>How long one send may take before it counts as failed.</summary>
    public TimeSpan SendTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class SmtpOptions
{
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public string? From { get; set; }

    /// <summary>One address, or several separated by commas.</summary>
    public string? To { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary><c>auto</c> (STARTTLS when offered; the default), <c>starttls</c>, <c>tls</c> or <c>none</c>.</summary>
    public string Security { get; set; } = "auto";

    public bool Configured => !string.IsNullOrWhiteSpace(Host) && !string.IsNullOrWhiteSpace(From) && !string.IsNullOrWhiteSpace(To);
}
