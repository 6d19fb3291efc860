using System.Diagnostics;
using System.Text;
using Analytics.Core.Ingest;

namespace Analytics.Benchmarks;

/// <summary>The C# side of ingest alone (read, parse, validate, hash the event id), no database: where the ingest time goes.</summary>
internal static class ParseBenchmark
{
    public static void Run(string path)
    {
        var hashClock = Stopwatch.StartNew();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        {
            System.Security.Cryptography.SHA256.HashData(stream);
        }

        Console.WriteLine($"content hash (SHA-256, the manifest's pre-pass): {hashClock.Elapsed.TotalSeconds:0.00} s");
        var readClock = Stopwatch.StartNew();
        long split = 0;
        using (var reader = new CsvRecordReader(new StreamReader(path, new UTF8Encoding(false, true), false, 1 << 16)))
        {
            while (reader.Read())
            {
                split += reader.FieldCount;
            }
        }

        Console.WriteLine($"read and split into fields alone (no validation): {readClock.Elapsed.TotalSeconds:0.00} s ({split:N0} fields)");
        var clock = Stopwatch.StartNew();
        using var csv = new CsvRecordReader(new StreamReader(path, new UTF8Encoding(false, true), false, 1 << 16));
        csv.Read();
        var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv[i].ToString()).ToList();
        var events = Analytics.Core.Assets.AssetProject.Load("assets-sql").Graph["raw_events"].Source!;
        var validator = new SourceRowValidator(events, SourceHeader.Map(events, header, out _), header.Count);
        var row = new SourceRow(events);
        long rows = 0, valid = 0;
        var parse = clock.Elapsed;
        Guid last = default;
        while (csv.Read())
        {
            rows++;
            // The event_id is hashed inside Validate, with the row's values.
            if (validator.Validate(new CsvFields(csv), row) is null)
            {
                valid++;
                last = row.Id;
            }
        }

        Console.WriteLine($"{rows:N0} rows ({valid:N0} valid) read, parsed, validated and hashed in {clock.Elapsed.TotalSeconds:0.00} s "
                          + $"= {rows / clock.Elapsed.TotalSeconds:N0} rows/s; the last event_id {last}");
    }
}
