namespace Analytics.Core.Ingest;

/// <summary>One record of a source file as text fields, whatever the format: a CSV line, a JSON line, a spreadsheet row.</summary>
public interface ISourceRecord
{
    int FieldCount { get; }

    /// <summary>The field's text, untrimmed; empty when absent.</summary>
    ReadOnlySpan<char> this[int index] { get; }

    /// <summary>The record as it was written, kept with its reason when it is rejected.</summary>
    string RawText { get; }

    /// <summary>Why the record cannot be read as fields at all (a quote never closed, a line too long), or null.</summary>
    string? Problem { get; }

    /// <summary>Whether the record has field <paramref name="index"/> at all (a JSON line may leave a key out); a header-led format always does.</summary>
    bool Has(int index) => index < FieldCount;
}
