namespace Analytics.Core.Assets;

public static partial class AssetFileParser
{
    private static readonly string[] SnapshotFields = ["strategy", "updated_at", "check_cols", "hard_deletes"];

    /// <summary>The header of a snapshot: <c>unique_key</c>, <c>strategy</c> with <c>updated_at</c> or <c>check_cols</c>, <c>hard_deletes</c>.</summary>
    private static SnapshotSpec? ReadSnapshot(string path, Dictionary<string, object?> meta, Materialization materialization)
    {
        if (materialization != Materialization.Snapshot)
        {
            if (SnapshotFields.FirstOrDefault(meta.ContainsKey) is { } misplaced)
            {
                throw new AssetDeclarationException($"{path}: '{misplaced}' applies to snapshots only; add 'materialization: snapshot' or remove it.");
            }

            return null;
        }

        const string Example = "e.g. 'unique_key: user_id' or 'unique_key: [tenant_id, user_id]'";
        var key = ReadSnapshotColumns(path, meta, "unique_key", Example)
                  ?? throw new AssetDeclarationException($"{path}: a snapshot needs 'unique_key', the columns that name a row of its source ({Example}).");
        var strategy = (meta.GetValueOrDefault("strategy") as string)?.Trim().ToLowerInvariant() switch
        {
            "timestamp" => SnapshotStrategy.Timestamp,
            "check" => SnapshotStrategy.Check,
            var other => throw new AssetDeclarationException(
                $"{path}: a snapshot's strategy {(other is null ? "is missing" : $"'{other}' is unknown")}; write 'strategy: timestamp' with "
                + "'updated_at: <column>' (a row changed when it is later), or 'strategy: check' with 'check_cols: all' or a list of columns."),
        };
        var updatedAt = ReadSnapshotColumns(path, meta, "updated_at", "e.g. 'updated_at: updated_at'") is { } at
            ? at.Count == 1 ? at[0] : throw new AssetDeclarationException($"{path}: 'updated_at' names one column, not {at.Count}.")
            : null;
        if (strategy == SnapshotStrategy.Timestamp && updatedAt is null)
        {
            throw new AssetDeclarationException($"{path}: the timestamp strategy needs 'updated_at: <column>', the source's time of a row's last change.");
        }

        IReadOnlyList<string>? checkColumns = null;
        if (strategy == SnapshotStrategy.Check)
        {
            checkColumns = meta.GetValueOrDefault("check_cols") is string all && all.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)
                ? null
                : ReadSnapshotColumns(path, meta, "check_cols", "e.g. 'check_cols: all' or 'check_cols: [tier, country]'")
                  ?? throw new AssetDeclarationException($"{path}: the check strategy needs 'check_cols': 'all', or the columns whose change makes a new version.");
        }
        else if (meta.ContainsKey("check_cols"))
        {
            throw new AssetDeclarationException($"{path}: 'check_cols' applies to 'strategy: check'; remove it, or change the strategy.");
        }

        var hardDeletes = (meta.GetValueOrDefault("hard_deletes") as string ?? "ignore").Trim().ToLowerInvariant() switch
        {
            "ignore" => HardDeletes.Ignore,
            "invalidate" => HardDeletes.Invalidate,
            "new_record" => HardDeletes.NewRecord,
            var other => throw new AssetDeclarationException(
                $"{path}: hard_deletes '{other}' is unknown; use ignore (keep the last version current), invalidate (close it) or new_record (add a deleted version)."),
        };
        var reserved = key.Concat(checkColumns ?? []).Append(updatedAt).FirstOrDefault(c => c is not null && SnapshotSpec.Bookkeeping.Contains(c));
        if (reserved is not null)
        {
            throw new AssetDeclarationException($"{path}: '{reserved}' is a column the snapshot adds itself ({string.Join(", ", SnapshotSpec.Bookkeeping)}); rename it in the SELECT.");
        }

        return new SnapshotSpec(key, strategy, updatedAt, checkColumns, hardDeletes);
    }

    private static List<string>? ReadSnapshotColumns(string path, Dictionary<string, object?> meta, string field, string example)
    {
        if (!meta.ContainsKey(field))
        {
            return null;
        }

        var columns = meta.GetValueOrDefault(field) switch
        {
            string s => [s],
            List<object> list when list.Count is > 0 and <= 16 && list.All(o => o is string) => list.Cast<string>().ToList(),
            _ => throw new AssetDeclarationException($"{path}: '{field}' must be a column or a list of up to 16 columns ({example})."),
        };
        var read = ReadLayoutColumns(path, new Dictionary<string, object?> { [field] = columns.Cast<object>().ToList() }, field, 16, Materialization.Table);
        return read.Distinct(StringComparer.Ordinal).Count() == read.Count
            ? read
            : throw new AssetDeclarationException($"{path}: '{field}' names a column twice; give each once.");
    }

    /// <summary>The checks every snapshot carries: its history is a history (one current version, no overlaps, intervals forward).</summary>
    private static IEnumerable<CheckDefinition> SnapshotChecks(string key, SnapshotSpec spec)
    {
        var keys = string.Join(", ", spec.UniqueKey);
        yield return new CheckDefinition($"{key}__one_current_version_per_key", CheckKind.Query, CheckSeverity.Error, [], [],
            $"select {keys}, count(*) as current_versions from {{{{ this }}}} where {SnapshotSpec.IsCurrent} group by {keys} having count(*) > 1");
        yield return new CheckDefinition($"{key}__no_overlapping_versions", CheckKind.Query, CheckSeverity.Error, [], [],
            $"select {keys}, {SnapshotSpec.ValidFrom}, {SnapshotSpec.ValidTo}, next_from, same_start from (select {keys}, {SnapshotSpec.ValidFrom}, {SnapshotSpec.ValidTo}, "
            + $"lead({SnapshotSpec.ValidFrom}) over (partition by {keys} order by {SnapshotSpec.ValidFrom}) as next_from, "
            + $"count(*) over (partition by {keys}, {SnapshotSpec.ValidFrom}) as same_start from {{{{ this }}}}) as versions "
            + $"where same_start > 1 or (next_from is not null and ({SnapshotSpec.ValidTo} is null or {SnapshotSpec.ValidTo} > next_from))");
        yield return new CheckDefinition($"{key}__valid_from_before_valid_to", CheckKind.Query, CheckSeverity.Error, [], [],
            $"select * from {{{{ this }}}} where {SnapshotSpec.ValidTo} is not null and not ({SnapshotSpec.ValidFrom} < {SnapshotSpec.ValidTo})");
    }
}
