using Analytics.RunStore;
using Microsoft.Extensions.Logging;

namespace Analytics.Orchestration.Alerting;

/// <summary>
/// Sends the queued alert messages: each at most once successfully, retried with doubling backoff and jitter (5 s up
/// to 10 minutes) until <see cref="AlertOptions.MaxAttempts"/>, then marked failed. It runs beside runs, never in
/// them, so a dead webhook or mail server costs a run nothing; errors are redacted of every secret before they are
/// logged or stored.
/// </summary>
public sealed class AlertDispatcher(AlertStore store, AlertChannelSet channels, AlertOptions options, ILogger logger)
{
    private const int Batch = 20;

    /// <summary>Sends what is due; returns how many messages were sent.</summary>
    public async Task<int> DispatchAsync(CancellationToken cancellationToken)
    {
        var lease = options.SendTimeout * (Batch + 1);
        var sent = 0;
        foreach (var delivery in await store.LeaseDueAsync(Batch, lease, cancellationToken))
        {
            if (!channels.Channels.TryGetValue(delivery.Channel, out var channel))
            {
                await store.FailedAsync(delivery.DeliveryId, $"the {delivery.Channel} channel is no longer configured", null, cancellationToken);
                continue;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SendTimeout);
            try
            {
                await channel.SendAsync(Render(delivery), timeout.Token);
                await store.SentAsync(delivery.DeliveryId, cancellationToken);
                sent++;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                var attempt = delivery.Attempts + 1;
                var error = channels.Redact(e is OperationCanceledException ? $"no answer within {options.SendTimeout.TotalSeconds:0} s" : e.Message);
                var retry = attempt >= options.MaxAttempts ? (TimeSpan?)null : Backoff(attempt);
                logger.LogWarning("Alert {Rule} ({Kind}) to {Channel} failed, attempt {Attempt} of {Max}: {Error}{Next}", delivery.Rule, delivery.Kind,
                    delivery.Channel, attempt, options.MaxAttempts, error, retry is null ? "; giving up" : $"; retrying in {retry.Value.TotalSeconds:0} s");
                await store.FailedAsync(delivery.DeliveryId, error, retry, cancellationToken);
            }
        }

        return sent;
    }

    /// <summary>5 s doubling per attempt, capped at 10 minutes, ±20 % jitter so many workers do not retry in step.</summary>
    public static TimeSpan Backoff(int attempt)
    {
        var seconds = Math.Min(600, 5 * Math.Pow(2, Math.Min(attempt - 1, 20)));
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    public static AlertMessage Render(PendingDelivery delivery) => delivery.Kind == "resolved"
        ? new AlertMessage($"[analytics] RESOLVED {delivery.Rule}: {delivery.Subject}",
            $"Resolved after {Since(delivery.OpenedAt, delivery.ResolvedAt ?? DateTimeOffset.UtcNow)}. It was: {delivery.Summary}", delivery.Link)
        : new AlertMessage($"[analytics] {delivery.Rule}: {delivery.Subject}", delivery.Summary, delivery.Link);

    private static string Since(DateTimeOffset from, DateTimeOffset to) =>
        Core.Assets.DurationText.Format(TimeSpan.FromSeconds(Math.Max(1, Math.Floor((to - from).TotalSeconds))));
}
