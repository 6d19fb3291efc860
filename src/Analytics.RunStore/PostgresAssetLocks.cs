using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>
/// One PostgreSQL advisory lock per asset, held on its own connection while the asset builds. A worker that dies
/// loses its connection and so its locks; nothing is left to clean up.
/// </summary>
public sealed class PostgresAssetLocks(NpgsqlDataSource dataSource) : IAssetLocks
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public async Task<IAsyncDisposable> AcquireAsync(string assetKey, Func<string, Task> onWait, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var announced = false;
            while (!await TryLockAsync(connection, assetKey, cancellationToken))
            {
                if (!announced)
                {
                    announced = true;
                    await onWait($"waiting for asset '{assetKey}': another run is building it");
                }

                await Task.Delay(Poll, cancellationToken);
            }

            return new Held(connection, assetKey);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<IAsyncDisposable?> TryAcquireAsync(string assetKey, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (await TryLockAsync(connection, assetKey, cancellationToken))
            {
                return new Held(connection, assetKey);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, string assetKey, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_lock(hashtextextended('asset:' || $1, 0))", connection);
        command.Parameters.AddWithValue(assetKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private sealed class Held(NpgsqlConnection connection, string assetKey) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("select pg_advisory_unlock(hashtextextended('asset:' || $1, 0))", connection);
                command.Parameters.AddWithValue(assetKey);
                await command.ExecuteNonQueryAsync();
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
