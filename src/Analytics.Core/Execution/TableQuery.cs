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

    /// <summary>A text form that is equal for equal queries: the cache key.</summary>
    public string Canonical =>
        $"{string.Join(",", Columns)}|{string.Join(",", GroupBy)}|{string.Join("&", Filters.Select(f => $"{f.Column}:{f.Operator}:{f.Value}"))}|{OrderBy}|{Descending}|{Limit}";
}

/// <summary>The rows a <see cref="TableQuery"/> selects, at most its limit, and how many matched in all.</summary>
public sealed record TableRows(IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<object?[]> Rows, long Total);

/// <summary>A query the relation cannot answer (an unknown column, a value that is not of the column's type); the message says which.</summary>
public sealed class TableQueryException(string message) : Exception(message);
