namespace Analytics.Core.Execution;

/// <summary>Passes each run event to several observers in turn.</summary>
public sealed class CompositeObserver(params IRunObserver[] observers) : IRunObserver
{
    public async Task RunStartedAsync(Guid runId, IReadOnlyList<string> plan, CancellationToken cancellationToken)
    {
        foreach (var o in observers)
        {
            await o.RunStartedAsync(runId, plan, cancellationToken);
        }
    }

    public async Task StepStartedAsync(Guid runId, string assetKey, CancellationToken cancellationToken)
    {
        foreach (var o in observers)
        {
            await o.StepStartedAsync(runId, assetKey, cancellationToken);
        }
    }

    public async Task StepWaitingAsync(Guid runId, string assetKey, string reason, CancellationToken cancellationToken)
    {
        foreach (var o in observers)
        {
            await o.StepWaitingAsync(runId, assetKey, reason, cancellationToken);
        }
    }

    public async Task CheckFinishedAsync(Guid runId, CheckResult check, CancellationToken cancellationToken)
    {
        foreach (var o in observers)
        {
            await o.CheckFinishedAsync(runId, check, cancellationToken);
        }
    }

    public async Task StepFinishedAsync(Guid runId, StepResult step, CancellationToken cancellationToken)
    {
        foreach (var o in observers)
        {
            await o.StepFinishedAsync(runId, step, cancellationToken);
        }
    }

    public async Task RunFinishedAsync(RunResult run, CancellationToken cancellationToken)
    {
        foreach (var o in observers)
        {
            await o.RunFinishedAsync(run, cancellationToken);
        }
    }
}
