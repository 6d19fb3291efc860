using System.Globalization;
using System.Text;
using Analytics.Core.Access;
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

    /// <summary>
    /// The statement reading <paramref name="chosen"/> (resolved columns) of <paramref name="target"/>, and its
    /// parameters' values in order. A column in <paramref name="masked"/> is read, filtered and ordered as its masked
    /// value (<see cref="Mask"/>), whose key is the parameter after the filters' values.
    /// </summary>
    public static (string Sql, IReadOnlyList<string> Values) Build(string target, IReadOnlyList<string> chosen, TableQuery query, IReadOnlySet<string>? masked = null)
    {
        var keyParameter = "$" + (query.Filters.Count + 1).ToString(CultureInfo.InvariantCulture);
        string Column(string name) => masked?.Contains(name) == true ? Mask(PostgresDialect.Quote(name), keyParameter) : PostgresDialect.Quote(name);
        var grouped = query.GroupBy.Count > 0;
        var sql = new StringBuilder("select ");
        sql.AppendJoin(", ", chosen.Select(c => masked?.Contains(c) == true ? $"{Column(c)} as {PostgresDialect.Quote(c)}" : Column(c)));
        if (grouped)
        {
            sql.Append(", count(*)");
        }

        sql.Append(", count(*) over () as ").Append(PostgresDialect.Quote(TotalColumn)).Append(" from ").Append(target);
        var values = new List<string>(query.Filters.Count);
        for (var i = 0; i < query.Filters.Count; i++)
        {
            var filter = query.Filters[i];
            sql.Append(i == 0 ? " where " : " and ").Append(Column(filter.Column)).Append(filter.SqlOperator).Append('$').Append(i + 1);
            values.Add(filter.Value);
        }

        if (grouped)
        {
            sql.Append(" group by ").AppendJoin(", ", Enumerable.Range(1, chosen.Count));
        }

        sql.Append(" order by ").Append(query.OrderBy is { } order
            ? Column(order) + (query.Descending ? " desc" : "")
            : string.Join(", ", Enumerable.Range(1, chosen.Count)));
        sql.Append(" limit ").Append(query.Limit.ToString(CultureInfo.InvariantCulture));
        return (sql.ToString(), values);
    }

    /// <summary>
    /// <paramref name="column"/> masked with the key in <paramref name="keyParameter"/> (bytea): exactly
    /// <see cref="ReadScope.Mask"/>, so a masked value from PostgreSQL equals one computed anywhere else. Null stays null.
    /// </summary>
    public static string Mask(string column, string keyParameter) =>
        $"'{ReadScope.MaskPrefix}' || left(encode(sha256({keyParameter}::bytea || convert_to({column}::text, 'UTF8')), 'hex'), {ReadScope.MaskHexLength})";
}
