using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Analytics.Core.Sources;
using Analytics.Core.Templating;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>What an erasure removed from the warehouse: rows per relation, and the UTC dates the subject's events spanned.</summary>
public sealed record ErasureRemoval(byte[] SubjectHash, IReadOnlyDictionary<string, long> Rows, DateOnly? From, DateOnly? To);

/// <summary>
/// Erasure of one subject (a user id, in one tenant or in all) from the PostgreSQL warehouse: a tombstone (a keyed
/// hash of the id, never the id), the raw rows, the rejected rows whose text names the id, and the rows of every
/// relation with a user_id column. What aggregates the subject then rebuilds from the raw rows left (the caller
/// runs it), and <see cref="FindAsync"/> then searches every text column of every table for the id.
/// </summary>
public sealed class PostgresErasure(NpgsqlDataSource dataSource)
{
    /// <summary>The tombstones of erased subjects (keyed hashes) and their key; part of the warehouse's setup (WarehouseSchema).</summary>
    public const string TombstoneDdl = """
        create table if not exists raw.erased_subjects (
            subject_hash bytea primary key,
            erased_at    timestamptz not null default now()
        );
        create table if not exists raw.erasure_key (
            id    int primary key check (id = 1),
            value bytea not null
        );
        """;

    /// <summary>The keyed hash a tombstone keeps: HMAC-SHA256 under the warehouse's erasure key, of the tenant (empty for all) and the id.</summary>
    public static byte[] SubjectHash(byte[] key, string userId, string? tenant) =>
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{tenant}\u0001{userId}"));

    /// <summary>The tombstones, and the key to test an id against them; null when nothing was ever erased (the usual case, which costs ingest nothing).</summary>
    /// <remarks>The test takes a subject's id and tenant (null when the row names none, which is the default tenant).</remarks>
    public static async Task<Func<string, string?, bool>?> ErasedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using (var exists = new NpgsqlCommand("select exists (select 1 from raw.erased_subjects)", connection))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return null;
            }
        }

        var key = await KeyAsync(connection, cancellationToken);
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("select subject_hash from raw.erased_subjects", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                hashes.Add(Convert.ToHexString(reader.GetFieldValue<byte[]>(0)));
            }
        }

        return (userId, tenant) => hashes.Contains(Convert.ToHexString(SubjectHash(key, userId, null)))
                                   || hashes.Contains(Convert.ToHexString(SubjectHash(key, userId, tenant ?? SourceDeclaration.DefaultTenant)));
    }

    /// <summary>
    /// Keeps the tombstone and removes the subject's rows everywhere they are stored as such, in one transaction:
    /// the raw events, the rejected rows whose fields include the id, and every relation with a user_id column.
    /// </summary>
    public async Task<ErasureRemoval> RemoveAsync(string userId, string? tenant, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, "select pg_advisory_xact_lock(727001);\n" + TombstoneDdl, cancellationToken);
        var key = await KeyAsync(connection, cancellationToken);
        var subject = SubjectHash(key, userId, tenant);
        await using (var tombstone = new NpgsqlCommand("insert into raw.erased_subjects (subject_hash) values ($1) on conflict do nothing", connection))
        {
            tombstone.Parameters.AddWithValue(subject);
            await tombstone.ExecuteNonQueryAsync(cancellationToken);
        }

        DateOnly? from = null, to = null;
        await using (var span = new NpgsqlCommand(
            "select min((event_time at time zone 'UTC')::date), max((event_time at time zone 'UTC')::date) from raw.raw_events "
            + "where user_id = $1 and ($2::text is null or coalesce(tenant_id, 'default') = $2)", connection))
        {
            span.Parameters.AddWithValue(userId);
            span.Parameters.Add(new NpgsqlParameter { Value = (object?)tenant ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            await using var reader = await span.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0))
            {
                (from, to) = (reader.GetFieldValue<DateOnly>(0), reader.GetFieldValue<DateOnly>(1));
            }
        }

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (schema, table, hasTenant) in await RelationsWithUserIdAsync(connection, cancellationToken))
        {
            var relation = $"{PostgresDialect.Quote(schema)}.{PostgresDialect.Quote(table)}";
            await using var delete = new NpgsqlCommand(
                $"delete from {relation} where user_id = $1" + (hasTenant ? " and ($2::text is null or coalesce(tenant_id, 'default') = $2)" : ""), connection);
            delete.Parameters.AddWithValue(userId);
            if (hasTenant)
            {
                delete.Parameters.Add(new NpgsqlParameter { Value = (object?)tenant ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            }

            rows[$"{schema}.{table}"] = await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        rows["raw.raw_events_rejected"] = await RemoveRejectedAsync(connection, userId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ErasureRemoval(subject, rows, from, to);
    }

    /// <summary>
    /// Every text column of every table and view outside PostgreSQL's own schemas that holds <paramref name="userId"/>
    /// as a whole word ("u_1" is not found in "u_10"), with how many rows hold it: empty when the subject is gone.
    /// </summary>
    public async Task<IReadOnlyList<string>> FindAsync(string userId, CancellationToken cancellationToken)
    {
        var pattern = WordPattern(userId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var columns = new List<(string Schema, string Table, string Column)>();
        await using (var catalog = new NpgsqlCommand("""
            select c.table_schema, c.table_name, c.column_name from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
            where c.table_schema not in ('pg_catalog', 'information_schema') and c.table_schema not like 'pg_toast%'
              and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb')
            order by 1, 2, 3
            """, connection))
        await using (var reader = await catalog.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var found = new List<string>();
        foreach (var (schema, table, column) in columns)
        {
            await using var search = new NpgsqlCommand(
                $"select count(*) from {PostgresDialect.Quote(schema)}.{PostgresDialect.Quote(table)} where {PostgresDialect.Quote(column)}::text ~ $1", connection)
            {
                CommandTimeout = 0,
            };
            search.Parameters.AddWithValue(pattern);
            if ((long)(await search.ExecuteScalarAsync(cancellationToken))! is var count and > 0)
            {
                found.Add($"{schema}.{table}.{column}: {count} row(s)");
            }
        }

        return found;
    }

    /// <summary>A PostgreSQL regular expression matching <paramref name="userId"/> as a whole word ("u_1" does not match "u_10").</summary>
    public static string WordPattern(string userId) => $"(^|[^A-Za-z0-9_]){Regex.Escape(userId).Replace("]", "\\]")}([^A-Za-z0-9_]|$)";

    /// <summary>Every table with a user_id column, and whether it has a tenant_id column too.</summary>
    private static async Task<List<(string Schema, string Table, bool HasTenant)>> RelationsWithUserIdAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var relations = new List<(string, string, bool)>();
        await using var command = new NpgsqlCommand("""
            select c.table_schema, c.table_name,
                   exists (select 1 from information_schema.columns t where t.table_schema = c.table_schema and t.table_name = c.table_name and t.column_name = 'tenant_id')
            from information_schema.columns c
            join information_schema.tables r on r.table_schema = c.table_schema and r.table_name = c.table_name and r.table_type = 'BASE TABLE'
            where c.column_name = 'user_id' and c.table_schema not in ('pg_catalog', 'information_schema')
            order by 1, 2
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            relations.Add((reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        }

        return relations;
    }

    /// <summary>Rejected rows whose raw text has the id as one of its fields (parsed as CSV, so an id inside another field is not matched).</summary>
    private static async Task<long> RemoveRejectedAsync(NpgsqlConnection connection, string userId, CancellationToken cancellationToken)
    {
        var lines = new List<(long FileId, long Line)>();
        await using (var candidates = new NpgsqlCommand("select file_id, line_number, raw_text from raw.raw_events_rejected where strpos(raw_text, $1) > 0", connection))
        {
            candidates.Parameters.AddWithValue(userId);
            await using var reader = await candidates.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (Fields(reader.GetString(2)).Any(f => f.Trim() == userId))
                {
                    lines.Add((reader.GetInt64(0), reader.GetInt64(1)));
                }
            }
        }

        long removed = 0;
        foreach (var (fileId, line) in lines)
        {
            await using var delete = new NpgsqlCommand("delete from raw.raw_events_rejected where file_id = $1 and line_number = $2", connection);
            delete.Parameters.AddWithValue(fileId);
            delete.Parameters.AddWithValue(line);
            removed += await delete.ExecuteNonQueryAsync(cancellationToken);
        }

        return removed;
    }

    /// <summary>The fields of one CSV line: commas outside double quotes separate them, a doubled quote is a quote.</summary>
    private static IEnumerable<string> Fields(string line)
    {
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted && c == '"' && i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                yield return field.ToString();
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        yield return field.ToString();
    }

    private static async Task<byte[]> KeyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            insert into raw.erasure_key (id, value) values (1, $1) on conflict (id) do nothing;
            """, connection);
        command.Parameters.AddWithValue(RandomNumberGenerator.GetBytes(32));
        await command.ExecuteNonQueryAsync(cancellationToken);
        await using var read = new NpgsqlCommand("select value from raw.erasure_key where id = 1", connection);
        return (byte[])(await read.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
