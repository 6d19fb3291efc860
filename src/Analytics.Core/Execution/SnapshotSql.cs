using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>
/// The SQL of a snapshot write shared by both warehouses: what in the source is refused, and which versions a run
/// opens and closes. Each adapter applies the changes its own way (PostgreSQL: an update and inserts in one
/// transaction; BigQuery: one MERGE).
/// </summary>
/// <remarks>
/// The rules, in the words of the README's "Snapshots": a key seen for the first time opens a version at its
/// <c>updated_at</c> (timestamp) or at the run (check). A changed row closes the current version where the new one
/// starts. A row whose <c>updated_at</c> is not later than the current version's is no change, even when its values
/// differ (the source's clock went backwards, or it was restored). A version opens at its <c>updated_at</c> when
/// that is after the key's history so far ends (the current version's start, or the last close), else at the run's
/// time (a key restored after a delete with its old <c>updated_at</c>), so versions never overlap or run backwards.
/// </remarks>
public static class SnapshotSql
{
    /// <summary>The changes' own columns, beside the key: what happens, when, and which current version it closes (by its start).</summary>
    public const string Action = "snapshot_action", At = "snapshot_at", Closes = "snapshot_closes";

    /// <summary>
    /// Rows of <c>(problem, row_count, example)</c>, one per way <paramref name="incoming"/> cannot be snapshot: a
    /// null key, a key twice, a null <c>updated_at</c>. None when it can.
    /// </summary>
    public static string Problems(SnapshotSpec spec, string incoming, ISqlDialect dialect)
    {
        var keys = string.Join(", ", spec.UniqueKey);
        var example = string.Join(" || ', ' || ", spec.UniqueKey.Select(k => dialect.Cast(k, "text")));
        var checks = new List<string>
        {
            $"select 'a null in the unique_key ({keys})' as problem, count(*) as row_count, '' as example from {incoming} "
            + $"where {string.Join(" or ", spec.UniqueKey.Select(k => $"{k} is null"))} having count(*) > 0",
            $"select 'a unique_key ({keys}) on more than one row' as problem, count(*) as row_count, min(example) as example "
            + $"from (select {example} as example from {incoming} group by {keys} having count(*) > 1) as duplicated having count(*) > 0",
        };
        if (spec.UpdatedAt is { } updatedAt)
        {
            checks.Add($"select 'a null updated_at ({updatedAt})' as problem, count(*) as row_count, min({example}) as example from {incoming} "
                       + $"where {updatedAt} is null having count(*) > 0");
        }

        return string.Join("\nunion all\n", checks);
    }

    /// <summary>What a problem row of <see cref="Problems"/> means to whoever declared the snapshot, and the fix.</summary>
    public static string Describe(AssetDefinition asset, string problem, long rows, string? example) =>
        $"snapshot '{asset.Key.Name}' refused its source: {rows} row(s) with {problem}"
        + (string.IsNullOrEmpty(example) ? "" : $" (e.g. {example})")
        + "; a snapshot needs one row per key and, with the timestamp strategy, a time for each. Fix the SELECT (deduplicate, filter, "
        + "or coalesce), or the source. Nothing was written: the history is as the last run left it.";

    /// <summary>
    /// One row per version the run opens (<c>open</c>: a source row, new or changed) or closes without replacement
    /// (<c>delete</c>: a key gone from <paramref name="incoming"/> under invalidate or new_record), with its key, its
    /// time and the start of the current version it closes (null when none). <paramref name="incoming"/> is a FROM item.
    /// </summary>
    public static string Changes(SnapshotSpec spec, string incoming, string target, IReadOnlyList<string> dataColumns, SnapshotWrite write, ISqlDialect dialect)
    {
        var now = dialect.TimestampLiteral(write.At);
        var first = spec.UniqueKey[0];
        string On(string left, string right) => string.Join(" and ", spec.UniqueKey.Select(k => $"{left}.{k} = {right}.{k}"));
        var keys = string.Join(", ", spec.UniqueKey);
        string changed, opensAt, history;
        if (spec.Strategy == SnapshotStrategy.Timestamp)
        {
            var u = spec.UpdatedAt!;
            changed = $"s.{u} > c.{u}";
            // After the key's history so far ends (the current version's start, or the last close): else the run's time.
            opensAt = $"case when h.ended is null or s.{u} > h.ended then s.{u} else {now} end";
            history = $"\nleft join (select {keys}, max(coalesce({SnapshotSpec.ValidTo}, {SnapshotSpec.ValidFrom})) as ended from {target} group by {keys}) as h on {On("h", "s")}";
        }
        else
        {
            var compared = spec.CheckColumns ?? dataColumns.Where(c => !spec.UniqueKey.Contains(c, StringComparer.Ordinal)).ToList();
            changed = compared.Count == 0 ? "false" : string.Join(" or ", compared.Select(c => $"s.{c} is distinct from c.{c}"));
            // Every check-strategy version starts at a run, each later than the last: no history to look at.
            (opensAt, history) = (now, "");
        }

        var keysOf = (string alias) => string.Join(", ", spec.UniqueKey.Select(k => $"{alias}.{k}"));
        var sql = $"""
            select {keysOf("s")}, 'open' as {Action}, {opensAt} as {At}, c.{SnapshotSpec.ValidFrom} as {Closes}
            from {incoming} as s
            left join (select * from {target} where {SnapshotSpec.IsCurrent}) as c on {On("c", "s")}{history}
            where c.{first} is null or c.{SnapshotSpec.IsDeleted} or ({changed})
            """;
        if (spec.HardDeletes != HardDeletes.Ignore)
        {
            sql += $"""

                union all
                select {keysOf("c")}, 'delete' as {Action}, {now} as {At}, c.{SnapshotSpec.ValidFrom} as {Closes}
                from {target} as c
                where c.{SnapshotSpec.IsCurrent} and not c.{SnapshotSpec.IsDeleted} and not exists (select 1 from {incoming} as s where {On("s", "c")})
                """;
        }

        return sql;
    }

    /// <summary>The bookkeeping values of a version opened at <c>{alias}.snapshot_at</c>, in <see cref="SnapshotSpec.Bookkeeping"/> order.</summary>
    public static string OpenedVersion(SnapshotSpec spec, string changes, bool deleted, SnapshotWrite write, ISqlDialect dialect) =>
        $"{changes}.{At}, {dialect.Cast("null", "timestamptz")}, true, {(deleted ? "true" : "false")}, "
        + $"{dialect.VersionId(spec.UniqueKey.Select(k => $"{changes}.{k}").ToList(), $"{changes}.{At}")}, {write.LoadId}, {dialect.Cast("null", "bigint")}";

    /// <summary>The columns of an empty snapshot of <paramref name="incoming"/>: its own, then the bookkeeping ones, typed.</summary>
    public static string EmptyTable(string incoming, ISqlDialect dialect) =>
        $"select s.*, {dialect.Cast("null", "timestamptz")} as {SnapshotSpec.ValidFrom}, {dialect.Cast("null", "timestamptz")} as {SnapshotSpec.ValidTo}, "
        + $"{dialect.Cast("null", "boolean")} as {SnapshotSpec.IsCurrent}, {dialect.Cast("null", "boolean")} as {SnapshotSpec.IsDeleted}, "
        + $"{dialect.Cast("null", "text")} as {SnapshotSpec.ChangeId}, {dialect.Cast("null", "bigint")} as {SnapshotSpec.RecordedLoad}, "
        + $"{dialect.Cast("null", "bigint")} as {SnapshotSpec.ClosedLoad} from {incoming} as s where false";
}
