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
        IReadOnlyList<string> sourceTypes, IReadOnlyList<string> order, WatermarkState state, object end, Action<long, SourceRow> write, RejectSpool rejects, CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        var names = declaration.Columns.Select(c => c.Name).ToList();
        var orderAt = order.Select(c => names.IndexOf(c)).ToArray();
        // Each value a parameter: the bounds $1 and $2, the cursor's from $3.
        await using var command = database.CreateCommand(
            WindowQuery(names.Select((n, i) => Selected(n, sourceTypes[i])), relation, origin, order, state, end, (i, _) => $"${i + 1}"));
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
            loaded += Hand(record, read, validator, row, write, rejects);
        }

        // The record still holds the last row read: where the next read goes on from.
        var cursor = read > 0 ? orderAt.Select(i => Typed(declaration.Columns[i].Type, record[i])).ToArray() : null;
        return new WindowRead(loaded, bytes, cursor, read == origin.MaxRowsPerWindow);
    }

    /// <summary>
    /// Streams the window as <see cref="ReadAsync"/> does, but through <c>COPY (select ...) TO STDOUT (FORMAT binary)</c>:
    /// each row the pass-through is sure of goes to <paramref name="writeFields"/> as its bytes came; any other is read as
    /// text, validated and written (or rejected) as on the typed path.
    /// </summary>
    private async Task<WindowRead> ReadBinaryAsync(AssetDefinition source, DatabaseOrigin origin, NpgsqlDataSource database, string relation,
        IReadOnlyList<string> order, WatermarkState state, object end, BinaryPassThrough passThrough, Action<long, SourceRow> write,
        CopyFieldsWriter writeFields, RejectSpool rejects, CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        var names = declaration.Columns.Select(c => c.Name).ToList();
        var orderAt = order.Select(c => names.IndexOf(c)).ToArray();
        // COPY takes no parameters: the bounds and the cursor are written as typed literals.
        var select = WindowQuery(names.Select(n => $"s.\"{n}\""), relation, origin, order, state, end, (_, value) => Literal(value));
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var copy = await connection.BeginRawBinaryCopyAsync($"copy ({select}) to stdout (format binary)", cancellationToken);
        var tuples = new CopyTupleReader(copy, names.Count);
        var validator = new SourceRowValidator(declaration, Enumerable.Range(0, names.Count).ToArray(), names.Count, _times);
        var record = new DatabaseRecord(names);
        var row = new SourceRow(declaration);
        var passed = new byte[1 << 12];
        // The last row read, kept for the cursor (the reader's buffer moves on).
        var last = Array.Empty<byte>();
        var lastStarts = new int[names.Count];
        var lastLengths = new int[names.Count];
        long read = 0, loaded = 0, bytes = 0;
        while (await tuples.ReadAsync(cancellationToken))
        {
            read++;
            bytes += tuples.PayloadLength;
            var fields = tuples.Fields;
            if (passed.Length < fields.Length + 8 * names.Count)
            {
                passed = new byte[(fields.Length + 8 * names.Count) * 2];
            }

            if (last.Length < fields.Length)
            {
                last = new byte[fields.Length * 2];
            }

            fields.CopyTo(last);
            tuples.Starts.CopyTo(lastStarts, 0);
            tuples.Lengths.CopyTo(lastLengths, 0);

            var length = passThrough.TryPass(fields, tuples.Starts, tuples.Lengths, passed);
            if (length >= 0)
            {
                writeFields(read, passed.AsSpan(0, length));
                loaded++;
                continue;
            }

            record.Load(fields, tuples.Starts, tuples.Lengths, passThrough.Wires);
            loaded += Hand(record, read, validator, row, write, rejects);
        }

        object[]? cursor = null;
        if (read > 0)
        {
            record.Load(last, lastStarts, lastLengths, passThrough.Wires);
            cursor = orderAt.Select(i => Typed(declaration.Columns[i].Type, record[i])).ToArray();
        }

        return new WindowRead(loaded, bytes, cursor, read == origin.MaxRowsPerWindow);
    }

    /// <summary>Validates a row read as text: a valid one goes to <paramref name="write"/> (1 is returned), a rejected one to the spool (0).</summary>
    private static int Hand(DatabaseRecord record, long line, SourceRowValidator validator, SourceRow row, Action<long, SourceRow> write, RejectSpool rejects)
    {
        if (validator.Validate(record.AsFields(), row) is { } reason)
        {
            rejects.Add(line, record.RawText, reason);
            return 0;
        }

        write(line, row);
        return 1;
    }

    /// <summary>A bound or cursor value as a SQL literal of its type (a text one quoted, in the form no server setting reads otherwise).</summary>
    internal static string Literal(object value) => value switch
    {
        DateTime time => $"'{time.ToString("yyyy-MM-dd HH:mm:ss.ffffff", System.Globalization.CultureInfo.InvariantCulture)}+00'::timestamptz",
        DateOnly date => $"'{date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)}'::date",
        bool flag => flag ? "true" : "false",
        string text => "E'" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "''", StringComparison.Ordinal) + "'",
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"no literal for a {value.GetType().Name}", nameof(value)),
    };

    /// <summary>
    /// The window's query: <paramref name="columns"/> of the rows in <c>[position, end)</c> above the cursor (when there is
    /// one), in (watermark, key) order, at most max_rows_per_window; each bound and cursor value as <paramref name="value"/>
    /// writes it, given its place (0 and 1 the bounds, then the cursor's).
    /// </summary>
    private static string WindowQuery(IEnumerable<string> columns, string relation, DatabaseOrigin origin, IReadOnlyList<string> order,
        WatermarkState state, object end, Func<int, object, string> value)
    {
        var quotedOrder = string.Join(", ", order.Select(c => $"s.\"{c}\""));
        var where = $"s.\"{origin.Watermark}\" >= {value(0, state.Position!)} and s.\"{origin.Watermark}\" < {value(1, end)}";
        if (state.Cursor is not null)
        {
            where += $" and ({quotedOrder}) > ({string.Join(", ", state.Cursor.Select((cursor, i) => value(i + 2, cursor)))})";
        }

        return $"select {string.Join(", ", columns)} from {relation} as s where {where} order by {quotedOrder} limit {origin.MaxRowsPerWindow}";
    }

    /// <summary>
    /// A column as the typed path selects it. A numeric comes as its text, since a decimal holds neither NaN nor more
    /// than 28 digits; a date as ISO text, since .NET has no infinite date (and an infinite one reads as its name); the
    /// validator then says what is wrong with either.
    /// </summary>
    private static string Selected(string name, string sourceType) => sourceType switch
    {
        "numeric" => $"s.\"{name}\"::text",
        "date" => $"case when isfinite(s.\"{name}\") then to_char(s.\"{name}\", 'YYYY-MM-DD') else s.\"{name}\"::text end",
        _ => $"s.\"{name}\"",
    };

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
