namespace Analytics.Core.Execution;

/// <summary>One statement a step sent to the warehouse: its text (clipped), when it started after the step did, and how long it took.</summary>
public sealed record StatementTiming(string Sql, double StartMs, double DurationMs, bool Failed);
