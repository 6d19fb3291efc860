namespace Analytics.Core.Ingest;

/// <summary>
/// One typed value of a source row: text in <see cref="Text"/>; numeric in <see cref="Decimal"/>; timestamps (UTC
/// ticks), dates (day number), integers and booleans (0 or 1) in <see cref="Long"/>.
/// </summary>
public struct FieldValue
{
    public bool IsNull;
    public long Long;
    public decimal Decimal;
    public string? Text;

    public static readonly FieldValue Null = new() { IsNull = true };
}
