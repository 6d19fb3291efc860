namespace Analytics.Core.Execution;

/// <summary>How many rows break a check, and a few of them rendered as text.</summary>
public sealed record CheckOutcome(long FailingRows, IReadOnlyList<string> Sample);
