namespace Analytics.Warehouse.BigQuery;

/// <summary>A BigQuery or Cloud Storage failure, in words a person can act on (what failed, and the fix).</summary>
public sealed class BigQueryException(string message, int? status = null, string? reason = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The HTTP status, when the failure came from a response.</summary>
    public int? Status { get; } = status;

    /// <summary>Google's error reason (notFound, accessDenied, invalidQuery, ...), when given.</summary>
    public string? Reason { get; } = reason;
}
