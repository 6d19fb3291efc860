using System.Text;
using System.Text.Json;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;

namespace Analytics.Ingest;

public static partial class SourceFileReader
{
    /// <summary>The longest JSON line read, in characters: as long as a CSV record may be.</summary>
    private const int MaxJsonLine = CsvRecordReader.DefaultMaxRecordLength;

    /// <summary>
    /// JSON lines: one object per line, its keys (standardized as header names are) naming declared columns; other keys
    /// are ignored. A string is the value's text, a number its literal, a boolean true or false, null an absent value.
    /// A line that is no object, or a column holding an object or array, is rejected with its reason. Blank lines are skipped.
    /// </summary>
    private static void ReadJsonLines(SourceDeclaration source, IngestFile file, string path, EventTimeRange times, Rows rows)
    {
        using var reader = new StreamReader(file.Read(), StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
        var validator = new SourceRowValidator(source, Enumerable.Range(0, source.Columns.Count).ToArray(), fieldCount: null, times);
        var record = new JsonRecord(source);
        long line = 0;
        while (true)
        {
            string? text;
            try
            {
                text = reader.ReadLine();
            }
            catch (DecoderFallbackException)
            {
                throw new IngestException(path, line + 1, "the file has bytes that are not UTF-8; re-save it as UTF-8");
            }

            if (text is null)
            {
                break;
            }

            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            record.Parse(line == 1 ? text.TrimStart('\uFEFF') : text);
            rows.Take(validator, record, line);
        }

        rows.Report();
    }

    /// <summary>One JSON line as the declared columns' fields.</summary>
    private sealed class JsonRecord(SourceDeclaration source) : ISourceRecord
    {
        private readonly Dictionary<string, int> _columns = source.Columns.Select((c, i) => (c.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        private readonly string?[] _values = new string?[source.Columns.Count];

        public int FieldCount => _values.Length;

        public ReadOnlySpan<char> this[int index] => _values[index];

        public string RawText { get; private set; } = "";

        public string? Problem { get; private set; }

        public bool Has(int index) => _values[index] is not null;

        public void Parse(string line)
        {
            Array.Clear(_values);
            RawText = line.Length > MaxJsonLine ? line[..4_096] : line;
            Problem = null;
            if (line.Length > MaxJsonLine)
            {
                Problem = $"the line is longer than {MaxJsonLine:N0} characters; its first characters are kept here";
                return;
            }

            try
            {
                using var document = JsonDocument.Parse(line, new JsonDocumentOptions { MaxDepth = 16 });
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    Problem = $"the line is a JSON {document.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object of column values";
                    return;
                }

                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (!_columns.TryGetValue(SourceHeader.Standardize(property.Name), out var column))
                    {
                        continue;
                    }

                    _values[column] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString(),
                        JsonValueKind.Number => property.Value.GetRawText(),
                        JsonValueKind.True => "true",
                        JsonValueKind.False => "false",
                        JsonValueKind.Null => "",
                        _ => null,
                    };
                    if (_values[column] is null)
                    {
                        Problem = $"{source.Columns[column].Name} is a JSON {property.Value.ValueKind.ToString().ToLowerInvariant()}; a column holds one value";
                        return;
                    }
                }
            }
            catch (JsonException e)
            {
                Problem = $"the line is not valid JSON ({e.Message.Split(" Path:")[0].TrimEnd('.')})";
            }
        }
    }
}
