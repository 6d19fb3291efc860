using System.Globalization;
using Analytics.Core.Assets;
using Analytics.Core.Templating;

namespace Analytics.Core.Execution;

/// <summary>
/// Renders each check as a query of the rows that break it: the check passes when it returns none. Expression and
/// query checks arrive already rendered (their ref() and this resolved).
/// </summary>
public static class CheckSqlBuilder
{
    /// <summary>
    /// The query of the rows that break <paramref name="check"/>. With <paramref name="scope"/> (an incremental build),
    /// row-by-row checks look only at the partitions or keys just written (the others passed when they were written
    /// and have not changed), and so does a unique check whose columns include the scope's column; row counts and
    /// query checks always see the whole table. With <paramref name="knownRows"/> (the size the build just arrived at:
    /// what it wrote, or for an incremental build the previous size plus its delta) a row count is checked against
    /// that number instead of a <c>count(*)</c> of the table. With <paramref name="indexes"/> (the table's), a unique
    /// check whose columns lead one of them groups in that index's order, so PostgreSQL reads the index instead of sorting.
    /// </summary>
    public static string FailingRows(CheckDefinition check, string relation, ISqlDialect dialect, Func<AssetKey, string> relationOf,
        IncrementalWrite? scope = null, long? knownRows = null, IReadOnlyList<IReadOnlyList<string>>? indexes = null)
    {
        var columns = check.Columns;
        var grouped = string.Join(", ", check.Kind == CheckKind.Unique ? InIndexOrder(columns, indexes ?? []) : columns);
        var only = scope is null ? "" : $" and {scope.Predicate(scope.Column, dialect)}";
        var onlyChild = scope is null ? "" : $" and {scope.Predicate("child." + scope.Column, dialect)}";
        var uniqueSource = scope is not null && columns.Contains(scope.Column, StringComparer.Ordinal)
            ? $"{relation} where {scope.Predicate(scope.Column, dialect)}"
            : relation;
        var counted = knownRows is { } rows
            ? $"select {rows.ToString(CultureInfo.InvariantCulture)} as row_count"
            : $"select count(*) as row_count from {relation}";
        if (FailingCondition(check) is { } condition)
        {
            return $"select * from {relation} where {condition}{only}";
        }

        return check.Kind switch
        {
            // Grouped over input sorted on the key: a unique key has as many groups as rows, and hashing that many
            // (10 M event_ids) spills and cost 13 s where the sort, which PostgreSQL spreads over its workers, took 3 s.
            // The ORDER BY in the subquery makes the planner group the sorted rows instead of hashing them.
            CheckKind.Unique =>
                $"select {string.Join(", ", columns)}, count(*) as copies "
                + $"from (select {string.Join(", ", columns)} from {uniqueSource} {dialect.PresortedBy(grouped)}) as sorted "
                + $"group by {grouped} having count(*) > 1",
            CheckKind.Relationships =>
                $"select child.* from {relation} as child left join {relationOf(check.ToAsset!)} as parent "
                + $"on child.{columns[0]} = parent.{check.ToColumn} "
                + $"where child.{columns[0]} is not null and parent.{check.ToColumn} is null{onlyChild}",
            CheckKind.RowCount =>
                $"select row_count from ({counted}) as counted where "
                + string.Join(" or ", new[]
                {
                    check.Min is { } min ? $"row_count < {min}" : null,
                    check.Max is { } max ? $"row_count > {max}" : null,
                }.OfType<string>()),
            CheckKind.Query => check.Expression!,
            // Reads no row (LIMIT 0 bills nothing on BigQuery); fails, naming the column, when one is not in the table.
            CheckKind.ClassifiedColumns => $"select {string.Join(", ", columns)} from {relation} limit 0",
            _ => throw new ArgumentOutOfRangeException(nameof(check), check.Kind, "unknown check kind"),
        };
    }

    /// <summary>
    /// For a check that judges each row alone (not null, accepted values, an expression), the condition a failing
    /// row meets; null for the others.
    /// </summary>
    public static string? FailingCondition(CheckDefinition check) => check.Kind switch
    {
        CheckKind.NotNull => $"({string.Join(" or ", check.Columns.Select(c => $"{c} is null"))})",
        CheckKind.AcceptedValues =>
            $"{check.Columns[0]} is not null and {check.Columns[0]} not in ({string.Join(", ", check.Values.Select(Literal))})",
        CheckKind.Expression => $"not coalesce(({check.Expression}), false)",
        _ => null,
    };

    /// <summary>
    /// One read of <paramref name="relation"/> (or of <paramref name="scope"/>'s rows of it) that counts the rows failing
    /// each of <paramref name="checks"/>, all judging each row alone: a column per check, in order. stg_events' three
    /// such checks were three reads of 10 M rows (1.6-1.9 s each) that every other asset waited on.
    /// </summary>
    public static string FailingCounts(IReadOnlyList<CheckDefinition> checks, string relation, ISqlDialect dialect, IncrementalWrite? scope = null) =>
        $"select {string.Join(", ", checks.Select((check, i) => $"count(case when {FailingCondition(check) ?? throw new ArgumentException($"check '{check.Name}' does not judge rows alone", nameof(checks))} then 1 end) as failing_{i + 1}"))} "
        + $"from {relation}{(scope is null ? "" : $" where {scope.Predicate(scope.Column, dialect)}")}";

    /// <summary>
    /// Whether <paramref name="check"/> on <paramref name="asset"/> is a unique check grouped in the order of the table's
    /// partition-led index, the order a full build writes the table in and an incremental one keeps (it replaces or
    /// adds whole partitions): walking that index reads the heap in sequence, even where the visibility map is not set
    /// and every row is fetched, and saves the sort (at 10 M events, user_activity_periods' check: 5.7 s sorted,
    /// 2.0 s by the index fetching every row).
    /// </summary>
    public static bool WalksTableOrder(CheckDefinition check, AssetDefinition asset) =>
        check.Kind == CheckKind.Unique && asset.Incremental is { PartitionBy: not null } && asset.TableIndexes is [var first, ..]
        && Leads(check.Columns, first);

    /// <summary>Whether <paramref name="check"/>, in a build with <paramref name="scope"/>, reads its whole table (or only the scope).</summary>
    public static bool ReadsWholeTable(CheckDefinition check, IncrementalWrite? scope) =>
        scope is null || check.Kind is CheckKind.RowCount or CheckKind.Query
        || (check.Kind == CheckKind.Unique && !check.Columns.Contains(scope.Column, StringComparer.Ordinal));

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>The columns in the order of the first index they lead (as a set), else as given.</summary>
    public static IReadOnlyList<string> InIndexOrder(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> indexes) =>
        indexes.FirstOrDefault(index => Leads(columns, index)) is { } leading ? leading.Take(columns.Count).ToList() : columns;

    /// <summary>Whether <paramref name="columns"/>, in any order, are the first columns of <paramref name="index"/>.</summary>
    private static bool Leads(IReadOnlyList<string> columns, IReadOnlyList<string> index) =>
        index.Count >= columns.Count
        && index.Take(columns.Count).Order(StringComparer.Ordinal).SequenceEqual(columns.Order(StringComparer.Ordinal), StringComparer.Ordinal);
}
