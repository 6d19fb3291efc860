using Analytics.Core.Assets;
using Analytics.Ingest;
using Analytics.Warehouse.Postgres;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// The PostgreSQL warehouse as an extraction's target: the window's rows go into <c>raw.KEY</c> in the same transaction
/// as its load and watermark. Optimistic: a window of new keys (a first load, a catch-up) is copied straight in, as fast
/// as a COPY goes; one holding a key the table has (a row updated since it was read) is read again into a temporary
/// table and written by key.
/// </summary>
public sealed class PostgresExtractionTarget(NpgsqlDataSource warehouse) : IExtractionTarget
{
    public NpgsqlDataSource Bookkeeping => warehouse;

    /// <summary>
    /// Makes the tables; and when the table is empty (a first extraction, which may be millions of rows), drops its key
    /// index for the extraction: each window's rows are appended, and <see cref="FinishAsync"/> builds the index once, from
    /// sorted keys, which costs a fraction of keeping it row by row. A key read twice meanwhile (a row updated while the
    /// windows were read) is kept in its last version read then, as loading by key would have kept it. An extraction cut
    /// short leaves the index out until the next one makes it the same way.
    /// </summary>
    public async Task PrepareAsync(AssetDefinition source, CancellationToken cancellationToken)
    {
        await PostgresSourceTables.EnsureAsync(warehouse, source, cancellationToken);
        var declaration = source.Source!;
        if (declaration.PrimaryKey.Count == 0)
        {
            return;
        }

        var key = source.Key.Name;
        await using var connection = await warehouse.OpenConnectionAsync(cancellationToken);
        await Execute(connection, null, PostgresSourceTables.KeyIndex(key, declaration), cancellationToken);
        await using var empty = new NpgsqlCommand($"select not exists (select from raw.{key})", connection);
        if ((bool)(await empty.ExecuteScalarAsync(cancellationToken))!)
        {
            await Execute(connection, null, $"drop index raw.{key}_key", cancellationToken);
            _bulk.Add(key);
        }
    }

    /// <summary>Builds the key index a first extraction went without (see <see cref="PrepareAsync"/>).</summary>
    public async Task FinishAsync(AssetDefinition source, CancellationToken cancellationToken)
    {
        if (_bulk.Remove(source.Key.Name))
        {
            await using var connection = await warehouse.OpenConnectionAsync(cancellationToken);
            await Execute(connection, null, PostgresSourceTables.KeyIndex(source.Key.Name, source.Source!), cancellationToken);
        }
    }

    private readonly HashSet<string> _bulk = [];

    public async Task<(WindowRead Read, long Rejected)> WriteAsync(AssetDefinition source, long loadId, string origin, WindowReader reader,
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var key = source.Key.Name;
        await Execute(connection, transaction, "savepoint appended", cancellationToken);
        var rejects = new RejectSpool();
        WindowRead read;
        try
        {
            read = await CopyAsync(source, $"raw.{key}", loadId, reader, connection, rejects, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            rejects.Dispose();
            await Execute(connection, transaction, "rollback to savepoint appended", cancellationToken);
            rejects = new RejectSpool();
            try
            {
                await Execute(connection, transaction, $"create temp table extracted (like raw.{key}) on commit drop", cancellationToken);
                read = await CopyAsync(source, "extracted", loadId, reader, connection, rejects, cancellationToken);
                await UpsertAsync(connection, transaction, source, cancellationToken);
            }
            catch
            {
                rejects.Dispose();
                throw;
            }
        }
        catch
        {
            rejects.Dispose();
            throw;
        }

        using (rejects)
        {
            await SourceIngestor.CopyRejectsAsync(connection, source, origin, loadId, rejects, cancellationToken);
            return (read, rejects.Count);
        }
    }

    /// <summary>The window's valid rows, streamed from the source into <paramref name="target"/> by binary COPY as they are read.</summary>
    private static async Task<WindowRead> CopyAsync(AssetDefinition source, string target, long loadId, WindowReader reader, NpgsqlConnection connection,
        RejectSpool rejects, CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        await using var copy = await connection.BeginRawBinaryCopyAsync(
            $"copy {target} ({SourceBinaryEncoder.Columns(declaration)}) from stdin (format binary)", cancellationToken);
        var encoder = new SourceBinaryEncoder(copy, declaration);
        try
        {
            var read = await reader((line, row) => encoder.Write(loadId, line, row), (line, fields) => encoder.WriteFields(loadId, line, fields), rejects,
                cancellationToken);
            await encoder.CompleteAsync(cancellationToken);
            return read;
        }
        catch
        {
            await copy.CancelAsync();
            throw;
        }
    }

    /// <summary>
    /// Writes the window's rows (in the temporary table <c>extracted</c>) into <c>raw.KEY</c> by primary key: new keys are
    /// inserted, known ones replaced (with the new load id). A source whose key is not unique within a window (a view,
    /// say) gives its latest version (the last read) of each key; the common case pays no sort for it.
    /// </summary>
    private static async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AssetDefinition source, CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        var columns = SourceBinaryEncoder.Columns(declaration);
        var key = string.Join(", ", declaration.PrimaryKey);
        var updates = string.Join(", ", columns.Split(", ").Where(c => !declaration.PrimaryKey.Contains(c)).Select(c => $"{c} = excluded.{c}"));
        var upsert = $"on conflict ({key}) do update set {updates}";
        await Execute(connection, transaction, "savepoint upsert", cancellationToken);
        try
        {
            await Execute(connection, transaction, $"insert into raw.{source.Key.Name} ({columns}) select {columns} from extracted {upsert}", cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CardinalityViolation)
        {
            await Execute(connection, transaction, "rollback to savepoint upsert", cancellationToken);
            await Execute(connection, transaction,
                $"insert into raw.{source.Key.Name} ({columns}) select distinct on ({key}) {columns} from extracted order by {key}, line_number desc {upsert}",
                cancellationToken);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
