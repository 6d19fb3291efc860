using Microsoft.Extensions.Configuration;

namespace Analytics.Orchestration.Alerting;

/// <summary>
/// The channels configured for this deployment, and the secrets (webhook URL, SMTP password) that must never reach
/// a log line or the run store: <see cref="Redact"/> takes them out of any error text first.
/// </summary>
public sealed class AlertChannelSet
{
    private readonly string[] _secrets;

    public AlertChannelSet(IReadOnlyList<IAlertChannel> channels, IEnumerable<string?> secrets)
    {
        Channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _secrets = secrets.Where(s => !string.IsNullOrEmpty(s)).Cast<string>().OrderByDescending(s => s.Length).ToArray();
    }

    public IReadOnlyDictionary<string, IAlertChannel> Channels { get; }

    public IReadOnlyList<string> Names => Channels.Keys.Order(StringComparer.Ordinal).ToList();

    public string Redact(string text) => _secrets.Aggregate(text, (t, secret) => t.Replace(secret, "***", StringComparison.Ordinal));

    /// <summary>Slack when <c>SLACK_WEBHOOK_URL</c> is set, email when <c>Analytics:Alerts:Smtp</c> has a host, sender and recipient.</summary>
    public static IReadOnlyList<string> ConfiguredNames(IConfiguration configuration, AlertOptions options) =>
        new[] { ("email", options.Smtp.Configured), ("slack", !string.IsNullOrWhiteSpace(configuration["SLACK_WEBHOOK_URL"])) }
            .Where(c => c.Item2).Select(c => c.Item1).ToList();

    /// <summary>The channels of <see cref="ConfiguredNames"/>, ready to send.</summary>
    /// <summary>The name of the HTTP client (<c>AddHttpClient</c>) the channels post with.</summary>
    public const string HttpClientName = "alerts";

    public static AlertChannelSet FromConfiguration(IConfiguration configuration, AlertOptions options, HttpClient http)
    {
        var channels = new List<IAlertChannel>();
        var names = ConfiguredNames(configuration, options);
        var webhook = configuration["SLACK_WEBHOOK_URL"];
        if (names.Contains("slack"))
        {
            if (!Uri.TryCreate(webhook, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            {
                // The value is the secret: say what is wrong without echoing it.
                throw new ArgumentException("SLACK_WEBHOOK_URL is not an http(s) URL; set it to the incoming webhook URL Slack gave you, or unset it.");
            }

            channels.Add(new SlackChannel(http, uri));
        }

        if (names.Contains("email"))
        {
            channels.Add(new EmailChannel(options.Smtp, options.SendTimeout));
        }

        var uriPath = Uri.TryCreate(webhook, UriKind.Absolute, out var parsed) ? parsed.PathAndQuery : null;
        return new AlertChannelSet(channels, [webhook, uriPath is { Length: > 1 } ? uriPath : null, options.Smtp.Password]);
    }
}
