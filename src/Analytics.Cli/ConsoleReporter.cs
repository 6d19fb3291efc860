using Analytics.Core.Execution;

namespace Analytics.Cli;

/// <summary>Shows a run's progress: a live line on a terminal, plain lines when output is redirected.</summary>
public sealed class ConsoleReporter(TextWriter output) : IRunObserver
{
    private readonly Lock _lock = new();
    private readonly bool _live = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
    private int _done;
    private int _total;

    public Task RunStartedAsync(Guid runId, IReadOnlyList<string> plan, CancellationToken cancellationToken)
    {
        _total = plan.Count;
        Line($"run {runId}: {plan.Count} asset(s)");
        return Task.CompletedTask;
    }

    public Task StepFinishedAsync(Guid runId, StepResult step, CancellationToken cancellationToken)
    {
        var done = Interlocked.Increment(ref _done);
        var rows = step.Rows is { } r ? $"{r:N0} rows" : "";
        var checks = step.Checks.Count == 0 ? "" : $", checks {step.Checks.Count(c => c.Passed)}/{step.Checks.Count}";
        var mark = step.Status switch
        {
            StepStatus.Succeeded => "ok  ",
            StepStatus.Skipped => "skip",
            _ => "FAIL",
        };
        Line($"[{done}/{_total}] {mark} {step.AssetKey,-36} {rows,14} {step.Duration.TotalSeconds,7:0.00}s{checks}");
        if (step.Incremental is { } incremental)
        {
            Line($"        {incremental.Describe()}");
        }

        foreach (var check in step.Checks.Where(c => !c.Passed))
        {
            Line($"        {(check.Blocks ? "error" : "warn")} check {check.Name}: {check.FailingRows} failing row(s){check.Error}");
            foreach (var sample in check.Sample)
            {
                Line($"          {sample}");
            }
        }

        if (step.Error is not null && step.Status != StepStatus.CheckFailed)
        {
            Line($"        {step.Error}");
        }

        return Task.CompletedTask;
    }

    /// <summary>Progress of a long count (rows ingested): overwritten in place on a terminal, every report otherwise.</summary>
    public void Progress(string label, long count)
    {
        lock (_lock)
        {
            if (_live)
            {
                output.Write($"\r{label}: {count:N0} rows");
            }
            else
            {
                output.WriteLine($"{label}: {count:N0} rows");
            }
        }
    }

    public void EndProgress()
    {
        if (_live)
        {
            lock (_lock)
            {
                output.Write("\r\u001b[K");
            }
        }
    }

    public void Line(string text)
    {
        lock (_lock)
        {
            output.WriteLine(text);
        }
    }
}
