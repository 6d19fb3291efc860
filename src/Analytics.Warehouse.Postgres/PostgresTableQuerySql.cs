using System.Globalization;
using System.Text;
using Analytics.Core.Execution;
using Analytics.Core.Templating;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// The SQL of a mart query on PostgreSQL: identifiers quoted by the dialect, every filter value a positional
/// parameter (never text of the statement), and the total of matching rows as a window count.
/// </summary>
public static class PostgresTableQuerySql
{
    /// <summary>The name of the window count column that carries the total.</summary>
    public const string TotalColumn = "__total";

    /// <summary>The statement reading <paramref name="chosen"/> (resolved columns) of <paramref name="target"/>, and its parameters' values in order.</summary>
    public static (string Sql, IReadOnlyList<string> Values) Build(string target, IReadOnlyList<string> chosen, TableQuery query)
    {
        var grouped = query.GroupBy.Count > 0;
        var sql = new StringBuilder("select ");
        sql.AppendJoin(", ", chosen.Select(PostgresDialect.Quote));
        if (grouped)
        {
            sql.Append(", count(*)");
        }

        sql.Append(", count(*) over () as ").Append(PostgresDialect.Quote(TotalColumn)).Append(" from ").Append(target);
        var values = new List<string>(query.Filters.Count);
        for (var i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            sql.Append(i == 0 ? " where " : " and ").Append(PostgresDialect.Quote(filter.Column)).Append(filter.SqlOperator).Append('$').Append(i + 1);
            values.Add(filter.Value);
        }

        if (grouped)
        {
            sql.Append(" group by ").AppendJoin(", ", Enumerable.Range(1, chosen.Count));
        }

        sql.Append(" order by ").Append(query.OrderBy is { } order
            ? PostgresDialect.Quote(order) + (query.Descending ? " desc" : "")
            : string.Join(", ", Enumerable.Range(1, chosen.Count)));
        sql.Append(" limit ").Append(query.Limit.ToString(CultureInfo.InvariantCulture));
        return (sql.ToString(), values);
    }
}
