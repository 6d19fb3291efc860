using System.Security.Cryptography;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>
/// Random secrets made once and kept in the run store, so every process of the app (API replicas, workers, restarts)
/// uses the same. Read once per process.
/// </summary>
public sealed class SecretStore(NpgsqlDataSource dataSource)
{
    /// <summary>The key that masks classified columns (32 random bytes).</summary>
    public const string MaskKey = "mask_key";

    private readonly Dictionary<string, Task<byte[]>> _read = [];

    /// <summary>The secret <paramref name="name"/>: made now, of <paramref name="bytes"/> random bytes, if no process made it before.</summary>
    public Task<byte[]> GetAsync(string name, int bytes = 32)
    {
        lock (_read)
        {
            if (!_read.TryGetValue(name, out var task) || task.IsFaulted || task.IsCanceled)
            {
                _read[name] = task = ReadOrCreateAsync(name, bytes);
            }

            return task;
        }
    }

    private async Task<byte[]> ReadOrCreateAsync(string name, int bytes)
    {
        // The first process to insert wins; the others read what it wrote. One that lost a race with an insert not yet
        // committed when its statement began sees neither row, and asks again.
        for (var attempt = 0; ; attempt++)
        {
            await using var command = dataSource.CreateCommand("""
                with made as (insert into runstore.secrets (name, value) values ($1, $2) on conflict (name) do nothing returning value)
                select value from made union all select value from runstore.secrets where name = $1 limit 1
                """);
            command.Parameters.AddWithValue(name);
            command.Parameters.AddWithValue(RandomNumberGenerator.GetBytes(bytes));
            var value = await command.ExecuteScalarAsync(CancellationToken.None) as byte[];
            if (value is not null || attempt == 2)
            {
                return value ?? throw new InvalidOperationException($"The secret '{name}' could not be read from runstore.secrets.");
            }
        }
    }
}
