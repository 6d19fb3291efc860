namespace Analytics.Core.Execution;

/// <summary>A comparison a <see cref="TableQuery"/> filters on; the value is text the warehouse reads as the column's type.</summary>
public enum FilterOperator
{
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

public sealed record TableFilter(string Column, FilterOperator Operator, string Value);

/// <summary>
/// Rows of one relation for a chart: chosen columns (all when empty), filters joined by AND, an order (by the
/// chosen columns when none) and a cap. With <see cref="GroupBy"/>, one row per distinct value of those columns
/// with a <c>count</c> column instead. Column names are checked against the relation before any SQL is built.
/// </summary>
public sealed record TableQuery(IReadOnlyList<string> Columns, IReadOnlyList<TableFilter> Filters, string? OrderBy, bool Descending, int Limit)
{
    public const string CountColumn = "count";

    public IReadOnlyList<string> GroupBy { get; init; } = [];

    /// <summary>
    /// The columns the query returns (the group-by columns, the chosen ones, or all of <paramref name="columns"/>), after
    /// checking that every column it names is one of the relation's; a <see cref="TableQueryException"/> names the one
    /// that is not.
    /// </summary>
    public IReadOnlyList<string> ResolveColumns(IReadOnlyCollection<string> columns, string relation)
    {
        var grouped = GroupBy.Count > 0;
        var chosen = grouped ? GroupBy : Columns.Count > 0 ? Columns : columns.ToList();
        var ordered = grouped && OrderBy is CountColumn ? null : OrderBy;
        foreach (var column in chosen.Concat(Filters.Select(f => f.Column)).Append(ordered).OfType<string>())
        {
            if (!columns.Contains(column))
            {
                throw new TableQueryException($"'{relation}' has no column '{column}'; it has {string.Join(", ", columns)}.");
            }
        }

        return chosen;
    }

    /// <summary>A text form that is equal for equal queries: the cache key.</summary>
    public string Canonical =>
        $"{string.Join(",", Columns)}|{string.Join(",", GroupBy)}|{string.Join("&", Filters.Select(f => $"{f.Column}:{f.Operator}:{f.Value}"))}|{OrderBy}|{Descending}|{Limit}";
}

/// <summary>The rows a <see cref="TableQuery"/> selects, at most its limit, and how many matched in all.</summary>
public sealed record TableRows(IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<object?[]> Rows, long Total);

/// <summary>A query the relation cannot answer (an unknown column, a value that is not of the column's type); the message says which.</summary>
public sealed class TableQueryException(string message) : Exception(message);
