using Npgsql;

namespace Analytics.RunStore;

/// <summary>LISTEN on one of the run store's channels (<see cref="RunQueue.Channel"/>, <see cref="RunStoreRecorder.ChangesChannel"/>).</summary>
public static class RunStoreNotifications
{
    /// <summary>
    /// Holds a connection listening on <paramref name="channel"/> and calls <paramref name="notified"/> for each
    /// notification, until <paramref name="cancellationToken"/> fires; <paramref name="listening"/> runs once LISTEN is
    /// in place. A lost connection ends it with the exception, so the caller decides how to reconnect.
    /// </summary>
    public static async Task ListenAsync(NpgsqlDataSource runStore, string channel, Action notified, Action? listening, CancellationToken cancellationToken)
    {
        await using var connection = await runStore.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, _) => notified();
        await using (var listen = new NpgsqlCommand($"listen {channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        listening?.Invoke();
        while (!cancellationToken.IsCancellationRequested)
        {
            await connection.WaitAsync(cancellationToken);
        }
    }
}
