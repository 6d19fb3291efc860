using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>The reads for the API: a preview and a mart query, each as the principal's scope may see it.</summary>
public sealed partial class PostgresWarehouse
{
    public async Task<TablePreview?> PreviewAsync(AssetDefinition asset, int limit, ReadScope scope, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadPreviewAsync(asset, limit, scope, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new TableQueryException($"The read role may not read '{asset.Key.Name}' ({e.MessageText}); materialize it again, which grants it.");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new TableQueryException($"The preview of '{asset.Key.Name}' took longer than {PreviewTimeout.TotalSeconds:0} s; try again, or ask for fewer rows.");
        }
    }

    private async Task<TablePreview?> ReadPreviewAsync(AssetDefinition asset, int limit, ReadScope scope, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        var target = Dialect.Relation(asset.Schema, asset.Key.Name);
        await using var read = await OpenReadAsync(target, scope, cancellationToken);
        if (read is null)
        {
            return null;
        }

        var (connection, types) = (read.Connection, read.Types);
        var select = types.Keys.Select(c => scope.IsMasked(c)
            ? $"{PostgresTableQuerySql.Mask(PostgresDialect.Quote(c), "$1")} as {PostgresDialect.Quote(c)}"
            : PostgresDialect.Quote(c));
        await using var command = new NpgsqlCommand($"select {string.Join(", ", select)} from {target} limit {limit}", connection);
        if (scope.Masked.Count > 0)
        {
            command.Parameters.AddWithValue(scope.MaskKey);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = types.Select(c => new ColumnInfo(c.Key, scope.IsMasked(c.Key) ? "text" : c.Value)).ToList();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return new TablePreview(columns, rows);
    }

    /// <summary>The relation's columns and their types, in order; empty when there is no such relation.</summary>
    private static async Task<Dictionary<string, string>> ColumnTypesAsync(NpgsqlConnection connection, string target, CancellationToken cancellationToken)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var catalog = new NpgsqlCommand(
            "select attname, format_type(atttypid, atttypmod) from pg_attribute where attrelid = to_regclass($1) and attnum > 0 "
            + "and not attisdropped order by attnum", connection);
        catalog.Parameters.AddWithValue(target);
        await using var reader = await catalog.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            types[reader.GetString(0)] = reader.GetString(1);
        }

        return types;
    }

    public async Task<TableRows?> QueryAsync(AssetDefinition asset, TableQuery query, ReadScope scope, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var target = Dialect.Relation(asset.Schema, asset.Key.Name);
        await using var read = await OpenReadAsync(target, scope, cancellationToken);
        if (read is null)
        {
            return null;
        }

        var (connection, types) = (read.Connection, read.Types);
        var grouped = query.GroupBy.Count > 0;
        var chosen = query.ResolveColumns(types.Keys, asset.Key.Name);

        var masked = scope.Masked.Count > 0 ? scope.Masked : null;
        var (sql, values) = PostgresTableQuerySql.Build(target, chosen, query, masked);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            // Untyped, so PostgreSQL reads the text as the column's type (a date, a number) or says why it can't.
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Unknown });
        }

        if (masked is not null)
        {
            command.Parameters.AddWithValue(scope.MaskKey);
        }
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<object?[]>();
            long total = 0;
            var width = chosen.Count + (grouped ? 1 : 0);
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new object?[width];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = reader.IsDBNull(i) ? null
                        : i < chosen.Count && types[chosen[i]] == "date" && !scope.IsMasked(chosen[i]) ? reader.GetFieldValue<DateOnly>(i)
                        : reader.GetValue(i);
                }

                total = reader.GetInt64(width);
                rows.Add(row);
            }

            var columns = chosen.Select(c => new ColumnInfo(c, scope.IsMasked(c) ? "text" : types[c])).ToList();
            if (grouped)
            {
                columns.Add(new ColumnInfo(TableQuery.CountColumn, "bigint"));
            }

            return new TableRows(columns, rows, total);
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState == "42883")
        {
            // 22xxx: a value the column's type cannot hold; 42883: no such comparison for the type.
            throw new TableQueryException($"A filter value does not fit its column of '{asset.Key.Name}': {e.MessageText}.");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new TableQueryException($"The read role may not read '{asset.Key.Name}' ({e.MessageText}); materialize it again, which grants it.");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new TableQueryException(
                $"The query on '{asset.Key.Name}' took longer than {PreviewTimeout.TotalSeconds:0} s; narrow it with filters or fewer columns.");
        }
    }

    /// <summary>
    /// Opens a read of <paramref name="target"/>: a transaction under the reads' time limit, as the reader role with
    /// <paramref name="scope"/>'s tenant (<see cref="BeginReadAsync"/>), with the relation's columns; null when there is no such relation.
    /// </summary>
    private async Task<ReadSession?> OpenReadAsync(string target, ReadScope scope, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var session = new ReadSession(connection, await connection.BeginTransactionAsync(cancellationToken));
        try
        {
            await ExecuteAsync(connection, $"set local statement_timeout = '{(int)PreviewTimeout.TotalMilliseconds}ms'", cancellationToken);
            session.Types = await ColumnTypesAsync(connection, target, cancellationToken);
            if (session.Types.Count == 0)
            {
                await session.DisposeAsync();
                return null;
            }

            await BeginReadAsync(connection, target, scope, cancellationToken);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>A read's connection and transaction (rolled back when disposed: a read changes nothing), and the relation's columns.</summary>
    private sealed class ReadSession(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public NpgsqlConnection Connection => connection;

        public Dictionary<string, string> Types { get; set; } = [];

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
