using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Core.Access;
using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>
/// The principals' API keys, in the run store. A key is <c>ak_ID_SECRET</c>: the id finds its row, and only a SHA-256
/// of the whole key is kept, so the store cannot give a key back. Every check reads the row, so a revoked or expired
/// key is refused at its next request on every API replica, with no restart and no cache to wait out.
/// </summary>
public sealed partial class ApiKeyStore(NpgsqlDataSource dataSource)
{
    public const string Prefix = "ak_";

    /// <summary>The longest name, the most live keys, and the longest a key may live.</summary>
    public const int MaxNameLength = 64;
    public const int MaxLiveKeys = 1000;
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(3660);

    /// <summary>Creates a key; the result holds the key itself, which is shown this once and never again.</summary>
    public async Task<CreatedKey> CreateAsync(string name, Role role, string? tenant, DateTimeOffset? expiresAt, string createdBy, CancellationToken cancellationToken,
        bool pii = false)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"The key name '{Clip(name)}' is not 1 to {MaxNameLength} letters, digits, '.', '_', '-' or '@'; name it after who uses it, e.g. ci-bot.");
        }

        if (tenant is not null && !NamePattern().IsMatch(tenant))
        {
            throw new ArgumentException($"The tenant '{Clip(tenant)}' is not 1 to {MaxNameLength} letters, digits, '.', '_', '-' or '@'.");
        }

        if (expiresAt is { } expiry && (expiry <= DateTimeOffset.UtcNow || expiry - DateTimeOffset.UtcNow > MaxLifetime))
        {
            throw new ArgumentException($"The expiry {expiry:yyyy-MM-dd HH:mm} UTC is not in the next {MaxLifetime.TotalDays:N0} days; give a time in the future, or none.");
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = $"{Prefix}{id}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // One creation at a time, so two cannot both pass the checks below and exceed the limit or share a name.
        await using (var lockKeys = new NpgsqlCommand("select pg_advisory_xact_lock(727101)", connection))
        {
            await lockKeys.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var count = new NpgsqlCommand("select count(*) from runstore.api_keys where revoked_at is null", connection))
        {
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! >= MaxLiveKeys)
            {
                throw new ArgumentException($"There are {MaxLiveKeys:N0} live keys already, the most there may be; revoke the unused ones first.");
            }
        }

        await using (var taken = new NpgsqlCommand("select 1 from runstore.api_keys where name = $1 and revoked_at is null", connection) { Parameters = { new() { Value = name } } })
        {
            if (await taken.ExecuteScalarAsync(cancellationToken) is not null)
            {
                throw new ArgumentException($"A live key is already named '{name}'; revoke it first, or choose another name.");
            }
        }

        await using var insert = new NpgsqlCommand($"""
            insert into runstore.api_keys (key_id, name, role, tenant, secret_hash, created_by, expires_at, pii) values ($1, $2, $3, $4, $5, $6, $7, $8)
            returning {Columns}
            """, connection);
        foreach (var value in new object?[] { id, name, WireName.Of(role), tenant, Hash(key), createdBy, expiresAt, pii })
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }

        insert.Parameters[6].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.TimestampTz;
        ApiKeyView view;
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            view = Read(reader);
        }

        await transaction.CommitAsync(cancellationToken);
        return new CreatedKey(view, key);
    }

    /// <summary>Every key, live first, newest first; never the key itself.</summary>
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"select {Columns} from runstore.api_keys order by revoked_at is not null, created_at desc");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<ApiKeyView>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    /// <summary>Revokes a key by its id; null when there is no such key, and the key as it was when it was revoked already.</summary>
    public async Task<(ApiKeyView? Key, bool AlreadyRevoked)> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            with target as (select key_id, revoked_at is not null as already from runstore.api_keys where key_id = $1 for update),
                 revoked as (update runstore.api_keys k set revoked_at = now() from target t where k.key_id = t.key_id and not t.already returning k.key_id)
            select {Columns}, (select already from target) from runstore.api_keys where key_id = $1
            """);
        command.Parameters.AddWithValue(keyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return (null, false);
        }

        var already = reader.GetBoolean(10);
        // The statement's snapshot predates its own update: a key revoked now reads as revoked now.
        var view = Read(reader);
        return (already ? view : view with { RevokedAt = view.RevokedAt ?? DateTimeOffset.UtcNow }, already);
    }

    /// <summary>Who <paramref name="presented"/> belongs to, or why it is refused (unknown, revoked, expired).</summary>
    public async Task<KeyCheck> AuthenticateAsync(string presented, CancellationToken cancellationToken)
    {
        if (!TryParseId(presented, out var id))
        {
            return KeyCheck.Refused("the key is not one this server issued");
        }

        await using var command = dataSource.CreateCommand("""
            update runstore.api_keys set last_used_at = now() where key_id = $1 and revoked_at is null and (expires_at is null or expires_at > now())
                and secret_hash = $2
            returning name, role, tenant, pii
            """);
        command.Parameters.AddWithValue(id);
        command.Parameters.AddWithValue(Hash(presented));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                return KeyCheck.Of(new Principal(reader.GetString(0), WireName.Parse<Role>(reader.GetString(1)), reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.GetBoolean(3)));
            }
        }

        // Why not: said only for a key whose secret matched, so a guess learns nothing about other keys.
        await using var why = dataSource.CreateCommand("select revoked_at, expires_at from runstore.api_keys where key_id = $1 and secret_hash = $2");
        why.Parameters.AddWithValue(id);
        why.Parameters.AddWithValue(Hash(presented));
        await using var row = await why.ExecuteReaderAsync(cancellationToken);
        if (!await row.ReadAsync(cancellationToken))
        {
            return KeyCheck.Refused("the key is not one this server issued");
        }

        return row.IsDBNull(0)
            ? KeyCheck.Refused($"the key expired at {row.GetFieldValue<DateTimeOffset>(1):yyyy-MM-dd HH:mm} UTC; ask an admin for a new one")
            : KeyCheck.Refused($"the key was revoked at {row.GetFieldValue<DateTimeOffset>(0):yyyy-MM-dd HH:mm} UTC; ask an admin for a new one");
    }

    /// <summary>Whether <paramref name="text"/> looks like one of our keys, and its id.</summary>
    public static bool TryParseId(string text, out string id)
    {
        id = "";
        if (text.Length != Prefix.Length + 12 + 1 + 43 || !text.StartsWith(Prefix, StringComparison.Ordinal) || text[Prefix.Length + 12] != '_')
        {
            return false;
        }

        id = text.Substring(Prefix.Length, 12);
        return id.All(char.IsAsciiHexDigitLower);
    }

    private const string Columns = "key_id, name, role, tenant, created_at, created_by, expires_at, revoked_at, last_used_at, pii";

    private static ApiKeyView Read(NpgsqlDataReader reader) => new(
        reader.GetString(0), reader.GetString(1), WireName.Parse<Role>(reader.GetString(2)), reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5), Nullable(reader, 6), Nullable(reader, 7), Nullable(reader, 8), reader.GetBoolean(9));

    private static DateTimeOffset? Nullable(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex NamePattern();
}

/// <summary>A key as listed: everything but the key. <c>Pii</c>: it reads classified columns in the clear (an admin always does).</summary>
public sealed record ApiKeyView(string KeyId, string Name, Role Role, string? Tenant, DateTimeOffset CreatedAt, string CreatedBy,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, bool Pii = false);

/// <summary>A key just created, with the key itself: shown once.</summary>
public sealed record CreatedKey(ApiKeyView View, string Key);

/// <summary>The outcome of checking a key: its principal, or why it is refused.</summary>
public sealed record KeyCheck(Principal? Principal, string? Refusal)
{
    public static KeyCheck Of(Principal principal) => new(principal, null);

    public static KeyCheck Refused(string why) => new(null, why);
}
