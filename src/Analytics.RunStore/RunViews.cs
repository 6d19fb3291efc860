using System.Text.Json;
using Analytics.Core.Execution;

namespace Analytics.RunStore;

/// <summary>A run as the API shows it.</summary>
public sealed record RunView(
    Guid RunId, RunKind Kind, string Selection, RunStatus Status, string? RequestedBy, string? Worker, Guid? ParentRunId,
    DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error, IReadOnlyList<StepView>? Steps)
{
    /// <summary>The run builds its incremental assets whole.</summary>
    public bool FullRefresh { get; init; }

    /// <summary>The first day of the partitions the run backfills, when it is a backfill.</summary>
    public DateOnly? BackfillFrom { get; init; }

    /// <summary>The last day (inclusive) of the partitions the run backfills, when it is a backfill.</summary>
    public DateOnly? BackfillTo { get; init; }
}

public sealed record StepView(string AssetKey, string Status, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, double? DurationMs, long? Rows, string? Error);

/// <summary>One entry of a run's event log.</summary>
public sealed record RunEvent(long EventId, Guid RunId, DateTimeOffset At, string Kind, string? AssetKey, string? Message, JsonElement? Payload);

/// <summary>A materialization: <c>Rows</c> the table held after it (null for a view or when not recorded), <c>RowsWritten</c> what it wrote.</summary>
public sealed record MaterializationView(Guid RunId, DateTimeOffset MaterializedAt, long? Rows, double DurationMs, IReadOnlyList<ColumnInfo> Columns, string? SqlHash,
    long? RowsWritten);

/// <summary>One point of an asset's history: the table's size and the rows written, and how long it took.</summary>
public sealed record MaterializationPoint(Guid RunId, DateTimeOffset MaterializedAt, long? Rows, double DurationMs, long? RowsWritten);

public sealed record CheckView(string Name, string Severity, bool Passed, long FailingRows, JsonElement Sample, string? Error, DateTimeOffset ExecutedAt, Guid RunId);
