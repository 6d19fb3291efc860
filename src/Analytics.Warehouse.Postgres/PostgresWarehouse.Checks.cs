using System.Globalization;
using System.Text;
using Analytics.Core.Execution;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>Checks: the failing rows of a check query, counted in one scan, with a sample.</summary>
public sealed partial class PostgresWarehouse
{
    public async Task<CheckOutcome> QueryFailuresAsync(string failingRowsSql, int sampleSize, CancellationToken cancellationToken, bool wholeTable = false)
    {
        // One scan: the window count rides along with the first few failing rows.
        var sql = $"select failing.*, count(*) over () as failing_rows__ from ({failingRowsSql}) as failing limit {sampleSize}";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = await CheckCommandAsync(connection, transaction, sql, wholeTable, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        long total = 0;
        var sample = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            total = reader.GetInt64(reader.FieldCount - 1);
            var row = new StringBuilder();
            for (var i = 0; i < reader.FieldCount - 1; i++)
            {
                row.Append(i == 0 ? "" : ", ").Append(reader.GetName(i)).Append('=')
                    .Append(reader.IsDBNull(i) ? "null" : Display(reader.GetValue(i)));
            }

            sample.Add(row.ToString());
        }

        return new CheckOutcome(total, sample);
    }

    public async Task<IReadOnlyList<long>> QueryCountsAsync(string countsSql, CancellationToken cancellationToken, bool wholeTable = false)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = await CheckCommandAsync(connection, transaction, countsSql, wholeTable, cancellationToken);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new InvalidOperationException("a query of counts returned no row");
        }

        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetInt64).ToList();
    }

    /// <summary>A check's query, on a connection set up for it.</summary>
    private static async Task<NpgsqlCommand> CheckCommandAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, bool wholeTable, CancellationToken cancellationToken)
    {
        if (wholeTable)
        {
            // A check of a whole table reads all of it: a scan. After an incremental write has cleared the visibility
            // of pages all over a big table, an index walk with heap fetches took 18 s where the scan takes 1.
            await ExecuteAsync(connection, "set local enable_indexscan = off; set local enable_indexonlyscan = off; set local enable_bitmapscan = off",
                cancellationToken);
        }

        // As long as the table needs; a canceled run cancels it.
        return new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
    }

    private static string Display(object value) => value switch
    {
        DateTime t when t.TimeOfDay == TimeSpan.Zero => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
