namespace Analytics.Core.Generation;

public sealed class EventGeneratorOptions
{
    public int Users { get; set; } = 1_000;

    public int Days { get; set; } = 120;

    public DateOnly Start { get; set; } = new(2025, 1, 1);

    public int Seed { get; set; } = 42;

    /// <summary>Share of rows, 0 to 1, written dirty: broken in one of the ways the input rules reject, or duplicated.</summary>
    public double DirtyRate { get; set; } = 0.02;
}
