using System.Text;
using Analytics.Core.Ingest;

namespace Analytics.Ingest;

/// <summary>Receives each valid row of a file, with its line number.</summary>
public delegate void EventRowSink(long line, in EventRow row);

/// <summary>
/// The input rules every warehouse shares: a file is read as strict UTF-8 with a header naming the event columns;
/// each record is validated, valid rows go to the sink and rejected ones to the spool with their reason. A file
/// refused whole (empty, UTF-16, not UTF-8, a bad header) is an <see cref="IngestException"/>.
/// </summary>
public static class EventFileReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads <paramref name="file"/> (named <paramref name="path"/> in messages) and returns how many rows were valid;
    /// throws if its bytes are not the ones it was hashed with (see <see cref="IngestFile"/>). Rows dated outside
    /// <paramref name="times"/> are rejected with that reason.
    /// </summary>
    public static long Read(IngestFile file, string path, EventTimeRange times, EventRowSink sink, RejectSpool rejects, IProgress<long>? progress,
        CancellationToken cancellationToken, Func<EventRow, bool>? erased = null)
    {
        RefuseUtf16(file, path);
        using var csv = new CsvRecordReader(new StreamReader(file.Read(), StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16));
        long loaded;
        try
        {
            loaded = Read(csv, path, times, sink, rejects, progress, cancellationToken, erased);
        }
        catch (IngestException)
        {
            // A file rewritten in place mid-read can look broken (a header cut short): that it changed is the truth to
            // tell, and the refusal that says it will be read again once it stops changing.
            file.EnsureUnchanged(path);
            throw;
        }

        file.EnsureUnchanged(path);
        return loaded;
    }

    /// <summary>The text a row of an erased subject is kept with among the rejected rows, in place of its own.</summary>
    public const string ErasedText = "(a row of an erased subject; its text is not kept)";

    private static long Read(CsvRecordReader csv, string path, EventTimeRange times, EventRowSink sink, RejectSpool rejects, IProgress<long>? progress,
        CancellationToken cancellationToken, Func<EventRow, bool>? erased)
    {
        var validator = ReadHeader(csv, path, times);
        long loaded = 0;
        while (Next(csv, path))
        {
            var reason = validator.Validate(csv, out var row);
            if (reason is not null)
            {
                rejects.Add(csv.Line, csv.RawText, reason);
                continue;
            }

            if (erased?.Invoke(row) == true)
            {
                // An old file that still holds an erased subject: the row is dropped, and counted, without its text.
                rejects.Add(csv.Line, ErasedText, "erased");
                continue;
            }

            sink(csv.Line, in row);
            if (++loaded % 100_000 == 0)
            {
                progress?.Report(loaded + rejects.Count);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        progress?.Report(loaded + rejects.Count);
        return loaded;
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

    private static EventRowValidator ReadHeader(CsvRecordReader csv, string path, EventTimeRange times)
    {
        if (!Next(csv, path))
        {
            throw new IngestException(path, 1, "the file is empty; it needs a header row naming " + string.Join(",", EventSchema.Columns));
        }

        if (csv.Oversized)
        {
            throw new IngestException(path, 1, $"the header row is longer than {csv.MaxRecordLength:N0} characters; "
                                               + "the first line must be the header: " + string.Join(",", EventSchema.Columns));
        }

        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv[i].ToString()).ToList();
        var map = EventSchema.MapHeader(header, out var problem);
        if (problem is not null)
        {
            throw new IngestException(path, csv.Line, problem);
        }

        return new EventRowValidator(map, csv.FieldCount, times);
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
