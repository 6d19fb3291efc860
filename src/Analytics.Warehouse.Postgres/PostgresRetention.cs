using Analytics.Core.Assets;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>Deletes a source's rows dated before a day, by its event time, and says how many rows each UTC day lost.</summary>
public static class PostgresRetention
{
    /// <summary>
    /// Deletes (or, with <paramref name="dryRun"/>, counts) the rows of <paramref name="source"/> whose event time falls on
    /// a UTC day before <paramref name="keptFrom"/>; returns the rows per day.
    /// </summary>
    public static async Task<IReadOnlyDictionary<DateOnly, long>> DeleteBeforeAsync(NpgsqlDataSource warehouse, AssetDefinition source, DateOnly keptFrom,
        bool dryRun, CancellationToken cancellationToken)
    {
        var time = source.Source?.EventTime ?? throw new InvalidOperationException($"{source.SourcePath}: retention needs the source's partition_by.");
        var table = $"raw.{source.Key.Name}";
        var day = $"({time} at time zone 'UTC')::date";
        var sql = dryRun
            ? $"select {day} as day, count(*) from {table} where {time} < $1 group by 1 order by 1"
            : $"with gone as (delete from {table} where {time} < $1 returning {day} as day) select day, count(*) from gone group by day order by day";
        await using var command = warehouse.CreateCommand(sql);
        command.Parameters.AddWithValue(new DateTimeOffset(keptFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        command.CommandTimeout = 0;
        var days = new SortedDictionary<DateOnly, long>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                days[reader.GetFieldValue<DateOnly>(0)] = reader.GetInt64(1);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // Never loaded: nothing to delete.
        }

        return days;
    }
}
