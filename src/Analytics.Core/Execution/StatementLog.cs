using System.Diagnostics;

namespace Analytics.Core.Execution;

/// <summary>
/// Collects the warehouse statements of one step, with their timings, from the database driver's own spans: a span
/// counts when its driver tagged it <see cref="WarehouseTag"/> (the warehouse's data source does; the run store's
/// does not, so a step's bookkeeping stays out of its list) and it ended inside the step's async flow. Nothing is
/// sampled outside a step, so a process with no step running pays nothing.
/// </summary>
public sealed class StatementLog
{
    /// <summary>The tag a warehouse driver sets on each statement span it makes.</summary>
    public const string WarehouseTag = "analytics.warehouse";

    /// <summary>The most statements one step keeps (the first ones), and the longest text kept of each.</summary>
    public const int MaxStatements = 200;
    public const int MaxSqlCharacters = 4000;

    private static readonly AsyncLocal<StatementLog?> CurrentLog = new();
    private static readonly ActivityListener Listener = CreateListener();

    private readonly DateTime _startedUtc = DateTime.UtcNow;
    private readonly List<StatementTiming> _statements = [];

    private StatementLog()
    {
    }

    /// <summary>Starts collecting for the calling async flow (a step); the returned scope stops it.</summary>
    public static StatementLog Begin()
    {
        _ = Listener;
        var log = new StatementLog();
        CurrentLog.Value = log;
        return log;
    }

    /// <summary>Stops collecting in the calling flow.</summary>
    public static void End() => CurrentLog.Value = null;

    /// <summary>What was collected, in the order the statements started.</summary>
    public IReadOnlyList<StatementTiming> Statements
    {
        get
        {
            lock (_statements)
            {
                return _statements.OrderBy(s => s.StartMs).ToList();
            }
        }
    }

    private void Add(Activity activity)
    {
        var sql = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName;
        var timing = new StatementTiming(
            sql.Length <= MaxSqlCharacters ? sql : sql[..MaxSqlCharacters] + "…",
            Math.Max(0, (activity.StartTimeUtc - _startedUtc).TotalMilliseconds),
            activity.Duration.TotalMilliseconds,
            activity.Status == ActivityStatusCode.Error);
        lock (_statements)
        {
            if (_statements.Count < MaxStatements)
            {
                _statements.Add(timing);
            }
        }
    }

    private static ActivityListener CreateListener()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            // Inside a step every span is created with its data (so the driver fills in its tags); outside none is asked for.
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
                CurrentLog.Value is null ? ActivitySamplingResult.None : ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (CurrentLog.Value is { } log && activity.GetTagItem(WarehouseTag) is not null)
                {
                    log.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
