using System.Data;
using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;
using Npgsql;

namespace Analytics.Ingest;

public sealed partial class DatabaseExtractor
{
    /// <summary>
    /// Streams the window's rows from the source into <paramref name="target"/> (binary COPY), valid ones with <paramref name="loadId"/>
    /// and their place in the read order, rejected ones to the spool; returns the rows loaded, the characters read, the
    /// last (watermark, key) read, and whether the window was cut at max_rows_per_window.
    /// </summary>
    private async Task<(long Rows, long Bytes, object[]? Cursor, bool Full)> ReadAsync(AssetDefinition source, DatabaseOrigin origin,
        NpgsqlDataSource database, string relation, IReadOnlyList<string> order, WatermarkState state, object end, long loadId, NpgsqlConnection warehouseConnection,
        string target, RejectSpool rejects, CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        var names = declaration.Columns.Select(c => c.Name).ToList();
        var orderAt = order.Select(c => names.IndexOf(c)).ToArray();
        var quotedOrder = string.Join(", ", order.Select(c => $"s.\"{c}\""));
        var where = $"s.\"{origin.Watermark}\" >= $1 and s.\"{origin.Watermark}\" < $2";
        if (state.Cursor is not null)
        {
            where += $" and ({quotedOrder}) > ({string.Join(", ", order.Select((_, i) => $"${i + 3}"))})";
        }

        await using var command = database.CreateCommand(
            $"select {string.Join(", ", names.Select(n => $"s.\"{n}\""))} from {relation} as s where {where} order by {quotedOrder} limit {origin.MaxRowsPerWindow}");
        command.Parameters.Add(new NpgsqlParameter { Value = state.Position });
        command.Parameters.Add(new NpgsqlParameter { Value = end });
        foreach (var value in state.Cursor ?? [])
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using var copy = await warehouseConnection.BeginRawBinaryCopyAsync(
            $"copy {target} ({SourceBinaryEncoder.Columns(declaration)}) from stdin (format binary)", cancellationToken);
        var encoder = new SourceBinaryEncoder(copy, declaration);
        var validator = new SourceRowValidator(declaration, Enumerable.Range(0, names.Count).ToArray(), names.Count, _times);
        var record = new DatabaseRecord(names);
        var row = new SourceRow(declaration);
        long read = 0, loaded = 0, bytes = 0;
        object[]? cursor = null;
        try
        {
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                record.Load(reader);
                read++;
                bytes += record.Length;
                var reason = validator.Validate(record.AsFields(), row);
                if (reason is not null)
                {
                    rejects.Add(read, record.RawText, reason);
                    continue;
                }

                encoder.Write(loadId, read, row);
                loaded++;
            }

            await encoder.CompleteAsync(cancellationToken);
            // The record still holds the last row read: where the next read goes on from.
            if (read > 0)
            {
                cursor = orderAt.Select(i => Typed(declaration.Columns[i].Type, record[i])).ToArray();
            }
        }
        catch
        {
            await copy.CancelAsync();
            throw;
        }

        return (loaded, bytes, cursor, read == origin.MaxRowsPerWindow);
    }

    /// <summary>A cursor value, typed as its column is declared, so the source compares it as its own type.</summary>
    internal static object Typed(SourceColumnType type, ReadOnlySpan<char> text) => type switch
    {
        SourceColumnType.Timestamp => TimestampParser.TryParse(text, out var utc) ? utc : throw new FormatException($"'{text}' is no timestamp"),
        SourceColumnType.Integer => long.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
        SourceColumnType.Numeric => decimal.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture),
        SourceColumnType.Date => DateOnly.ParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        SourceColumnType.Boolean => text.SequenceEqual("true"),
        _ => text.ToString(),
    };

    /// <summary>
    /// Writes the window's rows (in the temporary table <c>extracted</c>) into <c>raw.KEY</c> by primary key: new keys are
    /// inserted, known ones replaced (with the new load id). A source whose key is not unique within a window (a view,
    /// say) gives its latest version (the last read) of each key; the common case pays no sort for it.
    /// </summary>
    private static async Task UpsertAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AssetDefinition source, IReadOnlyList<string> order,
        CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        var columns = SourceBinaryEncoder.Columns(declaration);
        var key = string.Join(", ", declaration.PrimaryKey);
        var updates = string.Join(", ", columns.Split(", ").Where(c => !declaration.PrimaryKey.Contains(c)).Select(c => $"{c} = excluded.{c}"));
        var upsert = $"on conflict ({key}) do update set {updates}";
        await using (var savepoint = new NpgsqlCommand("savepoint upsert", connection, transaction))
        {
            await savepoint.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var command = new NpgsqlCommand($"insert into raw.{source.Key.Name} ({columns}) select {columns} from extracted {upsert}", connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CardinalityViolation)
        {
            await using (var rollback = new NpgsqlCommand("rollback to savepoint upsert", connection, transaction))
            {
                await rollback.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var command = new NpgsqlCommand(
                $"insert into raw.{source.Key.Name} ({columns}) select distinct on ({key}) {columns} from extracted order by {key}, line_number desc {upsert}",
                connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
