using System.Globalization;

namespace Analytics.Core.Execution;

/// <summary>
/// How a run builds its incremental assets, carried from whoever asked (CLI, API, web UI) to the worker that runs it:
/// whole (<c>--full-refresh</c>), the partitions dated in a range (<c>analytics backfill</c>), or, by default, what changed.
/// </summary>
public sealed record BuildOptions(bool FullRefresh = false, DateOnly? BackfillFrom = null, DateOnly? BackfillTo = null)
{
    /// <summary>The longest range one backfill takes: ten years of days.</summary>
    public const int MaxBackfillDays = 3660;

    public static readonly BuildOptions Default = new();

    public bool IsDefault => this == Default;

    /// <summary>A backfill of <paramref name="from"/>..<paramref name="to"/> (inclusive), or why it is not one, naming the options as <paramref name="names"/> says.</summary>
    public static BuildOptions Backfill(DateOnly from, DateOnly to, (string From, string To) names)
    {
        if (to < from)
        {
            throw new ArgumentException($"{names.To} {to:yyyy-MM-dd} is before {names.From} {from:yyyy-MM-dd}; give the range oldest first.");
        }

        if (to.DayNumber - from.DayNumber >= MaxBackfillDays)
        {
            throw new ArgumentException(
                $"{names.From} {from:yyyy-MM-dd} {names.To} {to:yyyy-MM-dd} spans more than {MaxBackfillDays} days; backfill in parts, or run a full refresh.");
        }

        return new BuildOptions(false, from, to);
    }

    /// <summary>Sets the executor's options to build as these say.</summary>
    public void Apply(ExecutorOptions options)
    {
        options.FullRefresh = FullRefresh;
        options.Backfill = BackfillFrom is { } from && BackfillTo is { } to ? (from, to) : null;
    }

    /// <summary>What a person reads: "full refresh", "backfill 2025-01-01..2025-01-31", or null for an ordinary run.</summary>
    public string? Describe() =>
        FullRefresh ? "full refresh"
        : BackfillFrom is { } from && BackfillTo is { } to
            ? string.Create(CultureInfo.InvariantCulture, $"backfill {from:yyyy-MM-dd}..{to:yyyy-MM-dd}")
            : null;
}
