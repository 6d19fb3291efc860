using Npgsql;

namespace Analytics.Postgres.Server;

/// <summary>Creates the databases an app keeps its tables in, on a server it administers (the embedded one, or one configured).</summary>
public static class PostgresDatabases
{
    /// <summary>Creates each of <paramref name="names"/> that is missing; two processes racing to the same one both succeed.</summary>
    public static async Task EnsureAsync(string adminConnectionString, IEnumerable<string> names, CancellationToken cancellationToken)
    {
        await using var admin = NpgsqlDataSource.Create(adminConnectionString);
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            await using var exists = admin.CreateCommand("select 1 from pg_database where datname = $1");
            exists.Parameters.AddWithValue(name);
            if (await exists.ExecuteScalarAsync(cancellationToken) is not null)
            {
                continue;
            }

            try
            {
                await using var create = admin.CreateCommand($"create database \"{name.Replace("\"", "\"\"")}\"");
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // Another process created it first.
            }
        }
    }
}
