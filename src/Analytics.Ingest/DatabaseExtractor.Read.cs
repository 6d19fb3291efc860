using System.Data;
using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;
using Npgsql;

namespace Analytics.Ingest;

public sealed partial class DatabaseExtractor
{
    /// <summary>
    /// Streams the window's rows from the source: valid ones to <paramref name="write"/> with their place in the read
    /// order, rejected ones to the spool; returns the rows handed on, the characters read, the last (watermark, key)
    /// read, and whether the window was cut at max_rows_per_window.
    /// </summary>
    private async Task<WindowRead> ReadAsync(AssetDefinition source, DatabaseOrigin origin, NpgsqlDataSource database, string relation,
        IReadOnlyList<string> order, WatermarkState state, object end, Action<long, SourceRow> write, RejectSpool rejects, CancellationToken cancellationToken)
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

        var validator = new SourceRowValidator(declaration, Enumerable.Range(0, names.Count).ToArray(), names.Count, _times);
        var record = new DatabaseRecord(names);
        var row = new SourceRow(declaration);
        long read = 0, loaded = 0, bytes = 0;
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

            write(read, row);
            loaded++;
        }

        // The record still holds the last row read: where the next read goes on from.
        var cursor = read > 0 ? orderAt.Select(i => Typed(declaration.Columns[i].Type, record[i])).ToArray() : null;
        return new WindowRead(loaded, bytes, cursor, read == origin.MaxRowsPerWindow);
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
}
