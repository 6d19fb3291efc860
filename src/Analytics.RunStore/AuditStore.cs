using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Analytics.RunStore;

/// <summary>One thing to record: who (a principal's name, never a key), did what, to what, with what outcome (an HTTP status), from where.</summary>
public sealed record AuditRecord(string Principal, string Action, string? Target, int Outcome, string? Client, string? RequestId);

/// <summary>A record as kept, with its place in the chain.</summary>
public sealed record AuditEntry(long Seq, DateTimeOffset At, string Principal, string Action, string? Target, int Outcome, string? Client, string? RequestId);

/// <summary>A page of the log, newest first; <c>Total</c> counts every record the filters match.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long Total, int Page, int PageSize);

/// <summary>The outcome of walking the chain: how many records were checked, and the first broken one, if any, with why.</summary>
public sealed record AuditVerification(long Records, long? BrokenAt, string? Problem)
{
    public bool Intact => BrokenAt is null;
}

/// <summary>
/// The audit log in the run store: append-only, and a hash chain. Each record's hash is SHA-256 over the previous
/// record's hash and the record's own content, so editing, removing or reordering records (by someone who gets past
/// the table's trigger) breaks the chain at that record, which <see cref="VerifyAsync"/> reports.
/// </summary>
public sealed class AuditStore(NpgsqlDataSource dataSource)
{
    public const int MaxPageSize = 500;
    public const int MaxPage = 100_000;
    private const int MaxText = 500;

    /// <summary>Appends <paramref name="records"/> in order, in one transaction that holds the chain's lock.</summary>
    public async Task AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockChain = new NpgsqlCommand("select pg_advisory_xact_lock(727201)", connection))
        {
            await lockChain.ExecuteNonQueryAsync(cancellationToken);
        }

        byte[] previous;
        await using (var last = new NpgsqlCommand("select hash from runstore.audit_log order by seq desc limit 1", connection))
        {
            previous = await last.ExecuteScalarAsync(cancellationToken) as byte[] ?? new byte[32];
        }

        await using var batch = new NpgsqlBatch(connection);
        foreach (var record in records)
        {
            // Microseconds, as PostgreSQL keeps them, so the hash read back is the hash written.
            var now = DateTimeOffset.UtcNow;
            var at = new DateTimeOffset(now.Ticks - now.Ticks % 10, TimeSpan.Zero);
            var entry = new AuditEntry(0, at, Clip(record.Principal)!, Clip(record.Action)!, Clip(record.Target), record.Outcome, Clip(record.Client), Clip(record.RequestId));
            var hash = Hash(previous, entry);
            var insert = new NpgsqlBatchCommand(
                "insert into runstore.audit_log (at, principal, action, target, outcome, client, request_id, prev_hash, hash) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
            foreach (var value in new object?[] { entry.At, entry.Principal, entry.Action, entry.Target, entry.Outcome, entry.Client, entry.RequestId, previous, hash })
            {
                insert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
            }

            insert.Parameters[3].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            insert.Parameters[5].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            insert.Parameters[6].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
            batch.BatchCommands.Add(insert);
            previous = hash;
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>A page of the log, newest first, of one principal, one action and one outcome class when given (refused: 401 and 403).</summary>
    public async Task<AuditPage> ListAsync(int page, int pageSize, string? principal, string? action, bool refusedOnly, CancellationToken cancellationToken)
    {
        const string Where = "($1::text is null or principal = $1) and ($2::text is null or action = $2) and (not $3 or outcome in (401, 403))";
        await using var command = dataSource.CreateCommand($"""
            select seq, at, principal, action, target, outcome, client, request_id, count(*) over ()
            from runstore.audit_log where {Where} order by seq desc limit $4 offset $5
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)principal ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)action ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.AddWithValue(refusedOnly);
        command.Parameters.AddWithValue(pageSize);
        command.Parameters.AddWithValue((long)(page - 1) * pageSize);
        var entries = new List<AuditEntry>();
        long total = 0;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                entries.Add(Read(reader));
                total = reader.GetInt64(8);
            }
        }

        if (entries.Count == 0 && page > 1)
        {
            // Past the last page: the total still says how many there are.
            await using var count = dataSource.CreateCommand($"select count(*) from runstore.audit_log where {Where}");
            count.Parameters.Add(new NpgsqlParameter { Value = (object?)principal ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            count.Parameters.Add(new NpgsqlParameter { Value = (object?)action ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            count.Parameters.AddWithValue(refusedOnly);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        return new AuditPage(entries, total, page, pageSize);
    }

    /// <summary>Walks the chain from the first record: each must link to the one before and hash to what it holds.</summary>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select seq, at, principal, action, target, outcome, client, request_id, prev_hash, hash from runstore.audit_log order by seq");
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var previous = new byte[32];
        long count = 0, lastSeq = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            var entry = Read(reader);
            var prevHash = reader.GetFieldValue<byte[]>(8);
            var hash = reader.GetFieldValue<byte[]>(9);
            count++;
            if (!prevHash.AsSpan().SequenceEqual(previous))
            {
                return new AuditVerification(count, entry.Seq,
                    $"record {entry.Seq} does not follow record {lastSeq}: its previous hash is not that record's hash (a record was removed, inserted or reordered)");
            }

            if (!Hash(prevHash, entry).AsSpan().SequenceEqual(hash))
            {
                return new AuditVerification(count, entry.Seq, $"record {entry.Seq} does not hash to what it holds: its content was changed after it was written");
            }

            (previous, lastSeq) = (hash, entry.Seq);
        }

        return new AuditVerification(count, null, null);
    }

    /// <summary>SHA-256 over the previous hash, then the record's content as a JSON array (so no two contents share a text).</summary>
    public static byte[] Hash(byte[] previous, AuditEntry entry)
    {
        var content = JsonSerializer.SerializeToUtf8Bytes(new object?[]
        {
            entry.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            entry.Principal, entry.Action, entry.Target, entry.Outcome, entry.Client, entry.RequestId,
        });
        return SHA256.HashData([.. previous, .. content]);
    }

    private static AuditEntry Read(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetString(6),
        reader.IsDBNull(7) ? null : reader.GetString(7));

    private static string? Clip(string? text) => text is null || text.Length <= MaxText ? text : text[..MaxText] + "…";
}
