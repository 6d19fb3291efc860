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

public sealed record TableFilter(string Column, FilterOperator Operator, string Value)
{
    /// <summary>The comparison in SQL, spaced (<c> &lt;= </c>), the same on every warehouse.</summary>
    public string SqlOperator => Operator switch
    {
        FilterOperator.Eq => " = ",
        FilterOperator.Ne => " <> ",
        FilterOperator.Lt => " < ",
        FilterOperator.Lte => " <= ",
        FilterOperator.Gt => " > ",
        _ => " >= ",
    };
}

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
        if (grouped && ordered is not null && !GroupBy.Contains(ordered))
        {
            throw new TableQueryException($"order={ordered} is not one of group_by's columns; with group_by, order by one of {string.Join(", ", GroupBy)} or by {CountColumn}.");
        }

        foreach (var column in chosen.Concat(Filters.Select(f => f.Column)).Append(ordered).OfType<string>())
        {
            if (!columns.Contains(column))
            {
                throw new TableQueryException($"'{relation}' has no column '{column}'; it has {string.Join(", ", columns)}.");
            }
        }

        return chosen;
    }

    /// <summary>
    /// Equal for equal queries, part by part (never a joined string, in which one value holding a separator would
    /// pass for two): the key a cache of answers uses.
    /// </summary>
    public static IEqualityComparer<TableQuery> Structural { get; } = new StructuralComparer();

    private sealed class StructuralComparer : IEqualityComparer<TableQuery>
    {
        public bool Equals(TableQuery? x, TableQuery? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null
                                      && x.Columns.SequenceEqual(y.Columns, StringComparer.Ordinal) && x.GroupBy.SequenceEqual(y.GroupBy, StringComparer.Ordinal)
                                      && x.Filters.SequenceEqual(y.Filters) && x.OrderBy == y.OrderBy && x.Descending == y.Descending && x.Limit == y.Limit);

        public int GetHashCode(TableQuery query)
        {
            var hash = new HashCode();
            foreach (var column in query.Columns)
            {
                hash.Add(column, StringComparer.Ordinal);
            }

            hash.Add(query.Columns.Count);
            foreach (var column in query.GroupBy)
            {
                hash.Add(column, StringComparer.Ordinal);
            }

            hash.Add(query.GroupBy.Count);
            foreach (var filter in query.Filters)
            {
                hash.Add(filter);
            }

            hash.Add(query.OrderBy);
            hash.Add(query.Descending);
            hash.Add(query.Limit);
            return hash.ToHashCode();
        }
    }
}

/// <summary>The rows a <see cref="TableQuery"/> selects, at most its limit, and how many matched in all.</summary>
public sealed record TableRows(IReadOnlyList<ColumnInfo> Columns, IReadOnlyList<object?[]> Rows, long Total);

/// <summary>A query the relation cannot answer (an unknown column, a value that is not of the column's type); the message says which.</summary>
public sealed class TableQueryException(string message) : Exception(message);
