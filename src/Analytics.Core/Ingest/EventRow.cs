namespace Analytics.Core.Ingest;

/// <summary>A valid input event, trimmed and typed; optional text is null when empty. <c>TenantId</c>: null when the file names none.</summary>
public readonly record struct EventRow(
    DateTime EventTime,
    string UserId,
    string EventType,
    string? TransactionCategory,
    decimal? MilesAmount,
    string? Platform,
    string? UtmSource,
    string? Country,
    string? TenantId = null)
{
    /// <summary>See <see cref="EventIdentity"/>.</summary>
    public Guid EventId => EventIdentity.Compute(this);
}
