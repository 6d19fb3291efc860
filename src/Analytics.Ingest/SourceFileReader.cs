using System.Text;
using Analytics.Core.Ingest;
using Analytics.Core.Sources;

namespace Analytics.Ingest;

/// <summary>Receives each valid row of a file, with its line (or spreadsheet row) number; the row is reused after the call.</summary>
public delegate void SourceRowSink(long line, SourceRow row);

/// <summary>
/// The input rules every warehouse shares, for any declared file source: the file is read in its format (CSV or JSON
/// lines as strict UTF-8, or a spreadsheet), each record is validated against the declaration, valid rows go to the
/// sink and rejected ones to the spool with their raw text and reason. A file refused whole (empty, UTF-16, not UTF-8,
/// a bad header, a protected spreadsheet) is an <see cref="IngestException"/>.
/// </summary>
public static partial class SourceFileReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text a row of an erased subject is kept with among the rejected rows, in place of its own.</summary>
    public const string ErasedText = "(a row of an erased subject; its text is not kept)";

    /// <summary>
    /// Reads <paramref name="file"/> (named <paramref name="path"/> in messages) as <paramref name="source"/> declares and
    /// returns how many rows were valid; throws if its bytes are not the ones it was hashed with (see <see cref="IngestFile"/>).
    /// Rows whose event time is outside <paramref name="times"/> are rejected with that reason; rows <paramref name="erased"/>
    /// picks are dropped with the reason <c>erased</c>, without their text.
    /// </summary>
    public static long Read(SourceDeclaration source, IngestFile file, string path, EventTimeRange times, SourceRowSink sink, RejectSpool rejects,
        IProgress<long>? progress, CancellationToken cancellationToken, Func<SourceRow, bool>? erased = null)
    {
        var format = (source.Origin as FileOrigin)?.Format ?? SourceFileFormat.Csv;
        var rows = new Rows(new SourceRow(source), sink, rejects, progress, cancellationToken, erased);
        if (format != SourceFileFormat.Xlsx)
        {
            RefuseUtf16(file, path);
        }

        try
        {
            switch (format)
            {
                case SourceFileFormat.Xlsx:
                    ReadSpreadsheet(source, (FileOrigin)source.Origin, file, path, times, rows);
                    break;
                case SourceFileFormat.Jsonl:
                    ReadJsonLines(source, file, path, times, rows);
                    break;
                default:
                    ReadCsv(source, file, path, times, rows);
                    break;
            }
        }
        catch (IngestException)
        {
            // A file rewritten in place mid-read can look broken (a header cut short): that it changed is the truth to
            // tell, and the refusal that says it will be read again once it stops changing.
            file.EnsureUnchanged(path);
            throw;
        }

        file.EnsureUnchanged(path);
        return rows.Loaded;
    }

    /// <summary>Where a reader's records go: validated, then to the sink or the spool.</summary>
    private sealed class Rows(SourceRow row, SourceRowSink sink, RejectSpool rejects, IProgress<long>? progress, CancellationToken cancellationToken,
        Func<SourceRow, bool>? erased)
    {
        public long Loaded { get; private set; }

        public void Take<TRecord>(SourceRowValidator validator, TRecord record, long line) where TRecord : ISourceRecord
        {
            var reason = validator.Validate(record, row);
            if (reason is not null)
            {
                rejects.Add(line, record.RawText, reason);
                return;
            }

            if (erased?.Invoke(row) == true)
            {
                // An old file that still holds an erased subject: the row is dropped, and counted, without its text.
                rejects.Add(line, ErasedText, "erased");
                return;
            }

            sink(line, row);
            if (++Loaded % 100_000 == 0)
            {
                Report();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        public void Report() => progress?.Report(Loaded + rejects.Count);
    }

    private static void ReadCsv(SourceDeclaration source, IngestFile file, string path, EventTimeRange times, Rows rows)
    {
        using var csv = new CsvRecordReader(new StreamReader(file.Read(), StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16));
        var validator = ReadHeader(source, csv, path, times);
        while (Next(csv, path))
        {
            rows.Take(validator, new CsvFields(csv), csv.Line);
        }

        rows.Report();
    }

    /// <summary>A UTF-16 file (its byte-order mark says so) is refused whole, with how to convert it.</summary>
    private static void RefuseUtf16(IngestFile file, string path)
    {
        if (file.StartsWithUtf16ByteOrderMark)
        {
            throw new IngestException(path, 1, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8, "
                                               + "e.g. 'iconv -f UTF-16 -t UTF-8 in.csv > out.csv', and ingest that");
        }
    }

    private static SourceRowValidator ReadHeader(SourceDeclaration source, CsvRecordReader csv, string path, EventTimeRange times)
    {
        var names = string.Join(",", source.Columns.Select(c => c.Name));
        if (!Next(csv, path))
        {
            throw new IngestException(path, 1, "the file is empty; it needs a header row naming " + names);
        }

        if (csv.Oversized)
        {
            throw new IngestException(path, 1, $"the header row is longer than {csv.MaxRecordLength:N0} characters; the first line must be the header: {names}");
        }

        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv[i].ToString()).ToList();
        return Validator(source, header, path, csv.Line, times, header.Count);
    }

    private static SourceRowValidator Validator(SourceDeclaration source, IReadOnlyList<string> header, string path, long line, EventTimeRange times, int? fields)
    {
        var map = SourceHeader.Map(source, header, out var problem);
        return problem is null ? new SourceRowValidator(source, map, fields, times) : throw new IngestException(path, line, problem);
    }

    private static bool Next(CsvRecordReader csv, string path)
    {
        try
        {
            return csv.Read();
        }
        catch (DecoderFallbackException)
        {
            throw new IngestException(path, csv.Line, "the file has bytes that are not UTF-8; re-save it as UTF-8");
        }
    }
}
