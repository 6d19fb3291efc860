using Analytics.Core.Assets;

namespace Analytics.Core.Execution;

/// <summary>One execution of one asset check.</summary>
public sealed record CheckResult(
    string AssetKey,
    string Name,
    CheckKind Kind,
    CheckSeverity Severity,
    bool Passed,
    long FailingRows,
    IReadOnlyList<string> Sample,
    string? Error,
    TimeSpan Duration)
{
    /// <summary>A failed error-severity check stops the asset's downstream.</summary>
    public bool Blocks => !Passed && Severity == CheckSeverity.Error;
}
