namespace Analytics.Core.Execution;

/// <summary>The outcome of materializing (or checking) a selection.</summary>
public sealed record RunResult(Guid RunId, IReadOnlyList<StepResult> Steps, TimeSpan Duration)
{
    public bool Succeeded => Steps.All(s => s.Status == StepStatus.Succeeded);

    public bool Canceled => Steps.Any(s => s.Status == StepStatus.Canceled);

    public RunStatus Status => Succeeded ? RunStatus.Succeeded : Canceled ? RunStatus.Canceled : RunStatus.Failed;

    public StepResult this[string key] => Steps.Single(s => s.AssetKey == key);
}
