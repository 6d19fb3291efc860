using Analytics.Core.Assets;

namespace Analytics.Core.Execution;

/// <summary>What an incremental build works out before it writes: its affected keys, staged once, and the dates a query names.</summary>
public interface IIncrementalPlanning
{
    /// <summary>
    /// Writes the distinct rows of <paramref name="sql"/> (an incremental build's affected keys) to a scratch table
    /// beside the asset, <c>{key}__affected</c>, replacing an earlier one, and returns a subquery reading it: the keys
    /// are worked out once, and the planner knows how many there are, instead of guessing at a subquery in every
    /// statement and check.
    /// </summary>
    Task<string> StageAffectedAsync(AssetDefinition asset, string sql, CancellationToken cancellationToken);

    /// <summary>
    /// The distinct non-null dates in the first column of <paramref name="sql"/>, at most <paramref name="limit"/> + 1 of
    /// them: a caller that gets more than <paramref name="limit"/> knows there are too many to list.
    /// </summary>
    Task<IReadOnlyList<DateOnly>> QueryDatesAsync(string sql, int limit, CancellationToken cancellationToken);
}
