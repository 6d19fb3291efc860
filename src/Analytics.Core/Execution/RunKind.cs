namespace Analytics.Core.Execution;

/// <summary>What a run does; stored and shown as its <see cref="WireName"/> (<c>materialize</c>, <c>check</c>).</summary>
public enum RunKind
{
    /// <summary>Build the selected assets, then run their checks.</summary>
    Materialize,

    /// <summary>Run the selected assets' checks without rebuilding anything.</summary>
    Check,
}
