namespace Analytics.Core.Execution;

/// <summary>Hears a run as it happens: for progress on screen and for the run store.</summary>
public interface IRunObserver
{
    Task RunStartedAsync(Guid runId, IReadOnlyList<string> plan, CancellationToken cancellationToken) => Task.CompletedTask;

    Task StepStartedAsync(Guid runId, string assetKey, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The step waits for another run that is building the same asset.</summary>
    Task StepWaitingAsync(Guid runId, string assetKey, string reason, CancellationToken cancellationToken) => Task.CompletedTask;

    Task CheckFinishedAsync(Guid runId, CheckResult check, CancellationToken cancellationToken) => Task.CompletedTask;

    Task StepFinishedAsync(Guid runId, StepResult step, CancellationToken cancellationToken) => Task.CompletedTask;

    Task RunFinishedAsync(RunResult run, CancellationToken cancellationToken) => Task.CompletedTask;
}
