using System.Diagnostics;
using System.Globalization;
using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;
using Npgsql;

namespace Analytics.Ingest;

/// <summary>
/// Reads a database source (PostgreSQL, through Npgsql) into the target's <c>raw.KEY</c> window by window above its stored
/// watermark. A window covers <c>[position, position + window)</c> of the watermark column, stopping <c>lag</c> behind
/// the source's own clock so a transaction that commits late is not passed over; rows are read in
/// <c>(watermark, key)</c> order above the last pair read (never by the timestamp alone, so rows sharing a watermark
/// value are never split or skipped), streamed (never the whole table in memory), validated by the declaration, and
/// written by primary key by the <see cref="IExtractionTarget"/> (the PostgreSQL warehouse, or BigQuery through a staged
/// file), so a row read again replaces its earlier copy. Each window commits with its load and its new watermark, so
/// catching up after downtime proceeds window by window, and a restart resumes from the last committed one.
/// </summary>
public sealed partial class DatabaseExtractor(IExtractionTarget target, Func<string, string?> connectionStrings, EventTimeRange? times = null)
{
    /// <summary>The most windows one extraction reads; the rest wait for the next (a year of one-day windows fits).</summary>
    public const int MaxWindows = 1_000;

    private readonly EventTimeRange _times = times ?? EventTimeRange.Default;

    /// <summary>
    /// Whether a PostgreSQL target is sent the source's rows in binary COPY encoding as they came, where the source's types
    /// allow (see <see cref="BinaryPassThrough"/>); off, every row is read typed and as text (the tests compare the two).
    /// </summary>
    internal bool BinaryCopy { get; init; } = true;

    /// <summary>
    /// Extracts every window that is due, calling <paramref name="committed"/> after each commits; returns them. A
    /// declared column the source lacks fails the extraction, naming it; a source column the declaration lacks is
    /// ignored, with a warning the first time it is seen.
    /// </summary>
    public async Task<IReadOnlyList<ExtractedWindow>> ExtractAsync(AssetDefinition source, Func<ExtractedWindow, Task>? committed,
        CancellationToken cancellationToken)
    {
        var declaration = source.Source ?? throw new InvalidOperationException($"{source.SourcePath}: '{source.Key.Name}' declares no columns.");
        var origin = declaration.Origin as DatabaseOrigin
                     ?? throw new InvalidOperationException($"{source.SourcePath}: '{source.Key.Name}' is not read from a database.");
        var connection = connectionStrings(origin.Connection)
                         ?? throw new ExtractionException(source, $"the connection '{origin.Connection}' is not set; set ConnectionStrings__{origin.Connection} "
                                                                 + "to the source database's connection string");
        await target.PrepareAsync(source, cancellationToken);
        IReadOnlyList<ExtractedWindow> windows;
        try
        {
            windows = await ExtractWindowsAsync(source, declaration, origin, connection, committed, cancellationToken);
        }
        catch
        {
            // The failure is what the caller needs to hear: the target's clean-up is tried, and made good next time if it fails.
            try
            {
                await target.FinishAsync(source, CancellationToken.None);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
            }

            throw;
        }

        await target.FinishAsync(source, cancellationToken);
        return windows;
    }

    private async Task<IReadOnlyList<ExtractedWindow>> ExtractWindowsAsync(AssetDefinition source, SourceDeclaration declaration, DatabaseOrigin origin,
        string connection, Func<ExtractedWindow, Task>? committed, CancellationToken cancellationToken)
    {
        await using var database = NpgsqlDataSource.Create(connection);
        var relation = Relation(origin);
        var (warning, types) = await CheckColumnsAsync(source, database, relation, cancellationToken);
        var sourceTypes = declaration.Columns.Select(c => types[c.Name]).ToList();
        var passThrough = BinaryCopy ? BinaryPassThrough.For(declaration, sourceTypes, _times) : null;
        var state = await WatermarkState.LoadAsync(target.Bookkeeping, source.Key.Name, cancellationToken);
        var windows = new List<ExtractedWindow>();
        var (now, first, last) = await BoundsAsync(database, relation, origin.Watermark, cancellationToken);
        state.Position ??= first;
        if (state.Position is null || last is null)
        {
            return windows; // an empty source: nothing to read, and no position to start from yet
        }

        var integer = declaration.Column(origin.Watermark)!.Type == SourceColumnType.Integer;
        // A timestamp watermark stops lag behind the source's clock; an integer one (an id) at the highest value now.
        object upper = integer ? (long)last! + 1 : ((DateTime)now).Add(-origin.Lag);
        while (windows.Count < MaxWindows && Compare(state.Position, upper) < 0)
        {
            var end = integer ? upper : Min((DateTime)state.Position + origin.Window, (DateTime)upper);
            var window = await ExtractWindowAsync(source, origin, database, relation, sourceTypes, passThrough, state, end, upper,
                windows.Count == 0 ? warning : null, cancellationToken);
            windows.Add(window);
            if (committed is not null)
            {
                await committed(window);
            }
        }

        return windows;
    }

    private static int Compare(object position, object upper) => position switch
    {
        DateTime time => time.CompareTo((DateTime)upper),
        _ => ((long)position).CompareTo((long)upper),
    };

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>The relation read: a quoted table, or the declared query as a subquery.</summary>
    private static string Relation(DatabaseOrigin origin) => origin.Table is { } table
        ? string.Join(".", table.Split('.').Select(part => $"\"{part}\""))
        : $"({origin.Query})";

    /// <summary>The source's clock, and its lowest and highest watermark values (null when it has no rows).</summary>
    private static async Task<(object Now, object? First, object? Last)> BoundsAsync(NpgsqlDataSource database, string relation, string watermark,
        CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"select now(), min(\"{watermark}\"), max(\"{watermark}\") from {relation} as s");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        object? Read(int i) => reader.IsDBNull(i) ? null : reader.GetValue(i) is DateTime t ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : Convert.ToInt64(reader.GetValue(i), CultureInfo.InvariantCulture);
        return (reader.GetDateTime(0), Read(1), Read(2));
    }

    /// <summary>
    /// Fails on a declared column the source lacks; returns a warning naming source columns the declaration lacks, the
    /// first time each is seen, and each source column's type (PostgreSQL's internal name: int4, timestamptz, ...).
    /// </summary>
    private async Task<(string? Warning, Dictionary<string, string> Types)> CheckColumnsAsync(AssetDefinition source, NpgsqlDataSource database,
        string relation, CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        List<string> columns;
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = database.CreateCommand($"select * from {relation} as s limit 0"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                types.TryAdd(reader.GetName(i), reader.GetPostgresType(i).InternalName);
            }
        }

        var missing = declaration.Columns.Select(c => c.Name).Where(c => !columns.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new ExtractionException(source, $"the source {relation} has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}, which the "
                                                  + $"declaration names; it has {string.Join(", ", columns)}. Restore the column in the source, or remove it "
                                                  + $"from the declaration in {source.SourcePath}");
        }

        var extra = columns.Except(declaration.Columns.Select(c => c.Name)).ToList();
        var unwarned = await WatermarkState.UnwarnedAsync(target.Bookkeeping, source.Key.Name, extra, cancellationToken);
        return (unwarned.Count == 0
            ? null
            : $"the source {relation} has column(s) {string.Join(", ", unwarned)} that the declaration does not name; they are not loaded "
              + $"(declare them in {source.SourcePath} to load them). Said once.", types);
    }

    /// <summary>A failure an extraction reports as its own: bad setup or a source that no longer matches the declaration.</summary>
    public sealed class ExtractionException(AssetDefinition source, string problem)
        : Exception($"{source.Key.Name}: {problem}. Nothing of this window was loaded.");

    /// <summary>Reads one window, in (watermark, key) order above the cursor, writing it by key; commits it with its new watermark.</summary>
    private async Task<ExtractedWindow> ExtractWindowAsync(AssetDefinition source, DatabaseOrigin origin, NpgsqlDataSource database, string relation,
        IReadOnlyList<string> sourceTypes, BinaryPassThrough? passThrough, WatermarkState state, object end, object upper, string? warning, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var declaration = source.Source!;
        var key = source.Key.Name;
        var order = new[] { origin.Watermark }.Concat(declaration.PrimaryKey.Where(k => k != origin.Watermark)).ToList();
        var from = Text(state.Position!);
        var to = Text(end);

        await using var connection = await target.Bookkeeping.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var label = $"{origin.Connection}:{origin.Table ?? "query"}";
        var (_, loadId) = await IngestManifest.BeginAsync(connection, transaction, key, $"window {from} .. {to} after {state.CursorText}",
            $"{label} [{from}, {to})", 0, cancellationToken);
        var ((rows, bytes, cursor, full), rejected) = await target.WriteAsync(source, loadId, label,
            (write, writeFields, rejects, token) => writeFields is not null && passThrough is not null
                ? ReadBinaryAsync(source, origin, database, relation, order, state, end, passThrough, write, writeFields, rejects, token)
                : ReadAsync(source, origin, database, relation, sourceTypes, order, state, end, write, rejects, token),
            connection, transaction, cancellationToken);

        if (cursor is not null)
        {
            state.Cursor = cursor;
        }

        // A window read whole moves the position to its end; one cut at max_rows_per_window goes on from the cursor.
        if (!full)
        {
            state.Position = end;
        }

        if (rows + rejected == 0)
        {
            // An empty window: the next starts at the next row's watermark (never past the upper bound, where a late row may
            // still appear), so a quiet month costs one window, not thirty; and it took no load.
            state.Position = await NextAsync(database, relation, origin.Watermark, end, upper, cancellationToken);
            await Execute(connection, transaction, $"delete from raw.ingest_manifest where file_id = {loadId}", cancellationToken);
        }
        else
        {
            await IngestManifest.CompleteAsync(connection, transaction, loadId, rows, rejected, cancellationToken);
            await Execute(connection, transaction, $"update raw.ingest_manifest set bytes = {bytes} where file_id = {loadId}", cancellationToken);
        }

        await state.SaveAsync(connection, transaction, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new ExtractedWindow(key, from, to, rows, rejected, bytes, clock.Elapsed,
            rows + rejected == 0 ? null : loadId, warning);
    }

    private static async Task<object> NextAsync(NpgsqlDataSource database, string relation, string watermark, object end, object upper,
        CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand($"select min(s.\"{watermark}\") from {relation} as s where s.\"{watermark}\" >= $1");
        command.Parameters.Add(new NpgsqlParameter { Value = end });
        var next = await command.ExecuteScalarAsync(cancellationToken);
        return next switch
        {
            DateTime time when DateTime.SpecifyKind(time, DateTimeKind.Utc) < (DateTime)upper => DateTime.SpecifyKind(time, DateTimeKind.Utc),
            long or int when Convert.ToInt64(next, CultureInfo.InvariantCulture) < (long)upper => Convert.ToInt64(next, CultureInfo.InvariantCulture),
            _ => upper,
        };
    }

    private static string Text(object value) => value switch
    {
        DateTime time => time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
