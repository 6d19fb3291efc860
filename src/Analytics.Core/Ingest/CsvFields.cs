namespace Analytics.Core.Ingest;

/// <summary>
/// A CSV reader's current record as a struct <see cref="ISourceRecord"/>: the validator, generic over it, reads
/// fields with inlined calls instead of an interface call each (ingest's hot loop).
/// </summary>
public readonly struct CsvFields(CsvRecordReader reader) : ISourceRecord
{
    public int FieldCount => reader.FieldCount;

    public ReadOnlySpan<char> this[int index] => reader[index];

    public string RawText => reader.RawText;

    public string? Problem => reader.Problem;
}
