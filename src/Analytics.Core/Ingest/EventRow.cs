namespace Analytics.Core.Ingest;

/// <summary>A valid input event, trimmed and typed; optional text is null when empty.</summary>
public readonly record struct EventRow(
    DateTime EventTime,
    string UserId,
    string EventType,
    string? TransactionCategory,
    decimal? MilesAmount,
    string? Platform,
    string? UtmSource,
    string? Country)
{
    /// <summary>See <see cref="EventIdentity"/>.</summary>
    public Guid EventId => EventIdentity.Compute(this);
}
