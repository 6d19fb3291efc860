using System.Globalization;
using Npgsql;

namespace Analytics.Ingest;

/// <summary>
/// Where a database source's extraction stands, kept in the warehouse (<c>raw.source_watermarks</c>, made with the warehouse's
/// schema, see <see cref="IngestManifest"/>) and committed with
/// each window's rows: the window position (the watermark value the next window starts at) and the cursor (the last
/// (watermark, key) read), each as text.
/// </summary>
internal sealed class WatermarkState
{
    private string _source = "";

    /// <summary>The watermark value the next window starts at (a UTC DateTime or a long), null before the first extraction.</summary>
    public object? Position { get; set; }

    /// <summary>The last (watermark, key...) read, typed as declared; null before any row was read.</summary>
    public object[]? Cursor { get; set; }

    public string CursorText => Cursor is null ? "(start)" : string.Join(",", Cursor.Select(Text));

    public static async Task<WatermarkState> LoadAsync(NpgsqlDataSource warehouse, string source, CancellationToken cancellationToken)
    {
        var state = new WatermarkState { _source = source };
        await using var command = warehouse.CreateCommand("select position, cursor from raw.source_watermarks where source = $1");
        command.Parameters.AddWithValue(source);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            state.Position = reader.IsDBNull(0) ? null : Parse(reader.GetString(0));
            state.Cursor = reader.IsDBNull(1) ? null : reader.GetFieldValue<string[]>(1).Select(Parse).ToArray();
        }

        return state;
    }

    public async Task SaveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "insert into raw.source_watermarks (source, position, cursor) values ($1, $2, $3) "
            + "on conflict (source) do update set position = excluded.position, cursor = excluded.cursor, updated_at = now()", connection, transaction);
        command.Parameters.AddWithValue(_source);
        command.Parameters.AddWithValue(Position is null ? DBNull.Value : Text(Position));
        command.Parameters.AddWithValue(Cursor is null ? DBNull.Value : Cursor.Select(Text).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Of <paramref name="columns"/>, those not warned of before; records them as warned.</summary>
    public static async Task<IReadOnlyList<string>> UnwarnedAsync(NpgsqlDataSource warehouse, string source, IReadOnlyList<string> columns,
        CancellationToken cancellationToken)
    {
        if (columns.Count == 0)
        {
            return [];
        }

        await using var command = warehouse.CreateCommand(
            "with old as (select warned from raw.source_watermarks where source = $1), "
            + "saved as (insert into raw.source_watermarks (source, warned) values ($1, $2) "
            + "on conflict (source) do update set warned = (select array(select distinct unnest(raw.source_watermarks.warned || excluded.warned))) returning 1) "
            + "select array(select unnest($2::text[]) except select unnest(coalesce((select warned from old), '{}'))) from saved");
        command.Parameters.AddWithValue(source);
        command.Parameters.AddWithValue(columns.ToArray());
        return (string[])(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A value as stored: a timestamp as ISO 8601 with 'T…Z', anything else as its invariant text, tagged by its type.</summary>
    private static string Text(object value) => value switch
    {
        DateTime time => "t:" + time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        long number => "i:" + number.ToString(CultureInfo.InvariantCulture),
        decimal number => "n:" + number.ToString(CultureInfo.InvariantCulture),
        DateOnly date => "d:" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        bool flag => "b:" + (flag ? "true" : "false"),
        _ => "s:" + value,
    };

    private static object Parse(string text) => text[..2] switch
    {
        "t:" => DateTime.SpecifyKind(DateTime.ParseExact(text[2..], "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture), DateTimeKind.Utc),
        "i:" => long.Parse(text[2..], CultureInfo.InvariantCulture),
        "n:" => decimal.Parse(text[2..], CultureInfo.InvariantCulture),
        "d:" => DateOnly.ParseExact(text[2..], "yyyy-MM-dd", CultureInfo.InvariantCulture),
        "b:" => text[2..] == "true",
        _ => text[2..],
    };
}
