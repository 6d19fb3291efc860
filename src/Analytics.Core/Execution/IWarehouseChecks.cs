namespace Analytics.Core.Execution;

/// <summary>Running checks: the rows a check's query finds, counted, with a sample.</summary>
public interface IWarehouseChecks
{
    /// <summary>
    /// Counts the rows of <paramref name="failingRowsSql"/> and returns up to <paramref name="sampleSize"/> of them.
    /// <paramref name="wholeTable"/>: the query reads whole tables, so a warehouse that can plans it as scans.
    /// </summary>
    Task<CheckOutcome> QueryFailuresAsync(string failingRowsSql, int sampleSize, CancellationToken cancellationToken, bool wholeTable = false);

    /// <summary>
    /// Runs <paramref name="countsSql"/>, a query of one row of integer counts, and returns them in order.
    /// <paramref name="wholeTable"/>: as for <see cref="QueryFailuresAsync"/>.
    /// </summary>
    Task<IReadOnlyList<long>> QueryCountsAsync(string countsSql, CancellationToken cancellationToken, bool wholeTable = false);
}
