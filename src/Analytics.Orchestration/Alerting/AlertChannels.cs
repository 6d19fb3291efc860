using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Analytics.Orchestration.Alerting;

/// <summary>One message, rendered once for every channel.</summary>
public sealed record AlertMessage(string Title, string Body, string? Link)
{
    public string Text => Link is null ? $"{Title}\n{Body}" : $"{Title}\n{Body}\n{Link}";
}

/// <summary>Somewhere alerts go. A send that fails throws; the dispatcher retries it.</summary>
public interface IAlertChannel
{
    string Name { get; }

    Task SendAsync(AlertMessage message, CancellationToken cancellationToken);
}

/// <summary>A Slack incoming webhook (<c>SLACK_WEBHOOK_URL</c>). The URL is the secret: it is never logged or stored.</summary>
public sealed class SlackChannel(HttpClient http, Uri webhook) : IAlertChannel
{
    public string Name => "slack";

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var text = message.Link is null ? $"*{message.Title}*\n{message.Body}" : $"*{message.Title}*\n{message.Body}\n<{message.Link}|Open in Analytics>";
        using var response = await http.PostAsJsonAsync(webhook, new { text }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the Slack webhook answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }
}

/// <summary>Email through SMTP with MailKit (<c>Analytics__Alerts__Smtp__Host|Port|From|To</c>, credentials optional).</summary>
public sealed class EmailChannel(SmtpOptions options, TimeSpan timeout) : IAlertChannel
{
    public string Name => "email";

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        var mail = new MimeMessage();
        mail.From.Add(MailboxAddress.Parse(options.From!));
        foreach (var to in options.To!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            mail.To.Add(MailboxAddress.Parse(to));
        }

        mail.Subject = message.Title;
        mail.Body = new TextPart("plain") { Text = message.Text };
        using var smtp = new SmtpClient { Timeout = (int)timeout.TotalMilliseconds };
        var security = options.Security.ToLowerInvariant() switch
        {
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "tls" => SecureSocketOptions.SslOnConnect,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await smtp.ConnectAsync(options.Host!, options.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(options.Username))
        {
            await smtp.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
        }

        await smtp.SendAsync(mail, cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }
}
