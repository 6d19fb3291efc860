using System.Collections.Concurrent;
using Analytics.Api.Apis;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Orchestration;

namespace Analytics.Api.Extensions;

/// <summary>
/// Mart answers keyed by mart and query, each remembered with the materialization it was read from: when the run
/// store reports a newer one (CatalogCache follows it through LISTEN), the answer is read again. Bounded by rows.
/// </summary>
public sealed class MartCache(IWarehouseReader warehouse, CatalogCache catalog)
{
    public const int MaxCachedRows = 500_000;
    private readonly ConcurrentDictionary<(string Key, TableQuery Query, string Scope), (DateTimeOffset? BuiltAt, MartRows Rows)> _answers = new(new AnswerKeyComparer());
    private long _rows;

    /// <summary>The mart's answer to <paramref name="query"/> as <paramref name="scope"/> may see it (answers are kept per scope).</summary>
    public async Task<MartRows?> RowsAsync(AssetDefinition mart, TableQuery query, ReadScope scope, CancellationToken cancellationToken)
    {
        var key = mart.Key.Name;
        var scopeKey = $"{scope.Tenant}\u0001{string.Join(',', scope.Masked.Order(StringComparer.Ordinal))}";
        var statuses = await catalog.AssetStatusesAsync(cancellationToken);
        var builtAt = statuses.GetValueOrDefault(key)?.MaterializedAt;
        if (builtAt is not null && _answers.TryGetValue((key, query, scopeKey), out var cached) && cached.BuiltAt == builtAt)
        {
            return cached.Rows;
        }

        if (await warehouse.QueryAsync(mart, query, scope, cancellationToken) is not { } table)
        {
            return null;
        }

        var rows = new MartRows(key, table.Columns, table.Rows, table.Total, table.Total > table.Rows.Count)
        {
            Masked = scope.Masked.Where(c => table.Columns.Any(t => t.Name == c)).Order(StringComparer.Ordinal).ToList(),
        };
        if (builtAt is not null)
        {
            if (Interlocked.Add(ref _rows, rows.Rows.Count) > MaxCachedRows)
            {
                _answers.Clear();
                Interlocked.Exchange(ref _rows, rows.Rows.Count);
            }

            _answers[(key, query, scopeKey)] = (builtAt, rows);
        }

        return rows;
    }

    private sealed class AnswerKeyComparer : IEqualityComparer<(string Key, TableQuery Query, string Scope)>
    {
        public bool Equals((string Key, TableQuery Query, string Scope) x, (string Key, TableQuery Query, string Scope) y) =>
            x.Key == y.Key && x.Scope == y.Scope && TableQuery.Structural.Equals(x.Query, y.Query);

        public int GetHashCode((string Key, TableQuery Query, string Scope) obj) =>
            HashCode.Combine(obj.Key, obj.Scope, TableQuery.Structural.GetHashCode(obj.Query));
    }
}
