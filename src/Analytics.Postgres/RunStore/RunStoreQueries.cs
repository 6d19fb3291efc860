using Npgsql;

namespace Analytics.Postgres.RunStore;

/// <summary>Read-side queries over the run store.</summary>
public sealed class RunStoreQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyDictionary<string, AssetStatus>> AssetStatusesAsync(CancellationToken cancellationToken = default)
    {
        const string sql = """
            with latest_materialization as (
                select distinct on (asset_key) asset_key, materialized_at, rows
                from runstore.materializations order by asset_key, materialization_id desc
            ), latest_check as (
                select distinct on (asset_key, check_name) asset_key, passed
                from runstore.check_executions order by asset_key, check_name, execution_id desc
            ), checks as (
                select asset_key, count(*) filter (where passed) as passed, count(*) as run from latest_check group by asset_key
            ), latest_step as (
                select distinct on (s.asset_key) s.asset_key, s.status
                from runstore.steps s join runstore.runs r using (run_id)
                where s.status not in ('queued', 'running') order by s.asset_key, s.finished_at desc nulls last
            )
            select k.asset_key, m.materialized_at, m.rows, s.status, coalesce(c.passed, 0)::int, coalesce(c.run, 0)::int
            from (select asset_key from latest_materialization union select asset_key from checks union select asset_key from latest_step) k
            left join latest_materialization m using (asset_key)
            left join checks c using (asset_key)
            left join latest_step s using (asset_key)
            """;
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var statuses = new Dictionary<string, AssetStatus>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            statuses[reader.GetString(0)] = new AssetStatus(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetInt32(4),
                reader.GetInt32(5));
        }

        return statuses;
    }
}
