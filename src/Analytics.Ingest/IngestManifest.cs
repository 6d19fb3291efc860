using Npgsql;

namespace Analytics.Ingest;

/// <summary>
/// <c>raw.ingest_manifest</c>, the record that makes ingest idempotent by content: one row per source and SHA-256 (or database extraction window), written in the
/// same transaction that loads the file (PostgreSQL), or committed only once the warehouse has the rows (BigQuery).
/// </summary>
public static class IngestManifest
{
    /// <summary>The ingest manifest: one row per ingested content hash.</summary>
    private const string ManifestDdl = """
        create schema if not exists raw;
        create table if not exists raw.ingest_manifest (
            file_id       bigint generated always as identity primary key,
            source        text not null default 'raw_events',
            file_path     text not null,
            content_hash  text not null,
            bytes         bigint not null,
            rows_read     bigint not null default 0,
            rows_loaded   bigint not null default 0,
            rows_rejected bigint not null default 0,
            ingested_at   timestamptz not null default now()
        );
        -- Every declared source records its loads here, each under one sequence of load ids (so one watermark covers
        -- them all); a content hash is unique within its source.
        -- (A manifest from before sources were declared gains the column; checked first, since altering the table
        -- would wait for every load in progress.)
        do $$
        begin
            if not exists (select from information_schema.columns
                           where table_schema = 'raw' and table_name = 'ingest_manifest' and column_name = 'source') then
                alter table raw.ingest_manifest add column source text not null default 'raw_events';
                alter table raw.ingest_manifest drop constraint if exists ingest_manifest_content_hash_key;
            end if;
        end $$;
        create unique index if not exists ingest_manifest_source_content on raw.ingest_manifest (source, content_hash);
        """;

    /// <summary>Where each database source's extraction stands (see WatermarkState in Analytics.Ingest).</summary>
    private const string WatermarksDdl = """
        -- Where each database source's extraction stands: the next window's start and the last (watermark, key) read,
        -- committed with each window's rows; the source columns already warned of.
        create table if not exists raw.source_watermarks (
            source     text primary key,
            position   text,
            cursor     text[],
            warned     text[] not null default '{}',
            updated_at timestamptz not null default now()
        );
        """;

    /// <summary>The manifest and the extraction watermarks, as DDL: part of a PostgreSQL warehouse's schema, or on their own in the run store's database.</summary>
    public const string Ddl = ManifestDdl + WatermarksDdl;

    /// <summary>
    /// Makes the manifest and the watermarks where a warehouse elsewhere (BigQuery) keeps them: the run store's database.
    /// Safe from many processes at once (one advisory lock).
    /// </summary>
    public static Task EnsureAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default) =>
        ExecuteSchemaAsync(dataSource, Ddl, cancellationToken);

    /// <summary>Runs schema DDL in one transaction under <see cref="SchemaLock"/>: two processes making the same tables at once would race on the catalog.</summary>
    public static async Task ExecuteSchemaAsync(NpgsqlDataSource dataSource, string ddl, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var wait = new NpgsqlCommand($"select pg_advisory_xact_lock({SchemaLock})", connection, transaction))
        {
            await wait.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(ddl, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The advisory lock the warehouse schema is made under (the same as the PostgreSQL warehouse's own).</summary>
    public const long SchemaLock = 727001;

    /// <summary>
    /// Held shared by every ingest transaction and taken exclusively to read the watermark: reading waits for the loads
    /// in flight, and any load after it gets a higher file id.
    /// </summary>
    private const long LoadsLock = 727003;

    /// <summary>
    /// The highest file id whose load has committed, with none below it still loading: what an incremental run covers.
    /// </summary>
    public static async Task<long> WatermarkAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var wait = new NpgsqlCommand($"select pg_advisory_xact_lock({LoadsLock})", connection, transaction))
        {
            await wait.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = new NpgsqlCommand("select coalesce(max(file_id), 0) from raw.ingest_manifest", connection, transaction);
        var watermark = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return watermark;
    }

    /// <summary>
    /// Locks <paramref name="hash"/> (within <paramref name="source"/>) for the transaction (a second ingest of the same content waits, then sees the
    /// first's row) and returns the earlier ingest of it, or the new file id with <c>Existing</c> null.
    /// </summary>
    public static async Task<(IngestResult? Existing, long FileId)> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string source,
        string hash, string path, long bytes, CancellationToken cancellationToken)
    {
        await using (var loads = new NpgsqlCommand($"select pg_advisory_xact_lock_shared({LoadsLock})", connection, transaction))
        {
            await loads.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue(source + ":" + hash);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var find = new NpgsqlCommand(
            "select file_id, rows_read, rows_loaded, rows_rejected from raw.ingest_manifest where source = $1 and content_hash = $2", connection, transaction))
        {
            find.Parameters.AddWithValue(source);
            find.Parameters.AddWithValue(hash);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return (new IngestResult(path, reader.GetInt64(0), true, reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), TimeSpan.Zero),
                    reader.GetInt64(0));
            }
        }

        await using var insert = new NpgsqlCommand(
            "insert into raw.ingest_manifest (source, file_path, content_hash, bytes) values ($1, $2, $3, $4) returning file_id", connection, transaction);
        insert.Parameters.AddWithValue(source);
        insert.Parameters.AddWithValue(path);
        insert.Parameters.AddWithValue(hash);
        insert.Parameters.AddWithValue(bytes);
        return (null, (long)(await insert.ExecuteScalarAsync(cancellationToken))!);
    }

    /// <summary>Records what the file gave.</summary>
    public static async Task CompleteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long fileId, long loaded, long rejected,
        CancellationToken cancellationToken)
    {
        await using var update = new NpgsqlCommand(
            "update raw.ingest_manifest set rows_read = $2, rows_loaded = $3, rows_rejected = $4 where file_id = $1", connection, transaction);
        update.Parameters.AddWithValue(fileId);
        update.Parameters.AddWithValue(loaded + rejected);
        update.Parameters.AddWithValue(loaded);
        update.Parameters.AddWithValue(rejected);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
