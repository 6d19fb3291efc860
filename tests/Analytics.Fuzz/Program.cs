using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Ingest;
using Analytics.Core.Selection;
using SharpFuzz;

namespace Analytics.Fuzz;

/// <summary>
/// One fuzz target per input a user controls. Each target swallows only the error its code promises for bad input
/// (SelectionException, AssetDeclarationException, a row's rejection reason); anything else escapes, and AFL++
/// records the input as a crash. Run through scripts/fuzz, or by hand on one file: <c>Analytics.Fuzz csv file</c>.
/// </summary>
public static class Program
{
    private static readonly Dictionary<string, Action<Stream>> Targets = new()
    {
        ["selection"] = Selection,
        ["csv"] = Csv,
        ["asset-header"] = AssetHeader,
    };

    public static int Main(string[] args)
    {
        if (args.Length is < 1 or > 2 || !Targets.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: Analytics.Fuzz <{string.Join("|", Targets.Keys)}> [input-file]");
            return 2;
        }

        if (args.Length == 2)
        {
            // Replays one input outside AFL, e.g. a crash it saved.
            using var file = File.OpenRead(args[1]);
            target(file);
            return 0;
        }

        Fuzzer.OutOfProcess.Run(target);
        return 0;
    }

    private static void Selection(Stream input)
    {
        var text = Read(input);
        try
        {
            // What parses prints back to text that parses and prints the same (positions aside, the same expression).
            var printed = SelectionPrinter.Print(SelectionParser.Parse(text));
            var again = SelectionPrinter.Print(SelectionParser.Parse(printed));
            if (again != printed)
            {
                throw new InvalidOperationException($"'{text}' prints as '{printed}', which prints as '{again}'");
            }
        }
        catch (SelectionException)
        {
        }
    }

    private static void Csv(Stream input)
    {
        using var reader = new CsvRecordReader(new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: false)), maxRecordLength: 4_096);
        if (!reader.Read())
        {
            return;
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToList();
        var map = EventSchema.MapHeader(header, out var problem);
        if (problem is not null || reader.Oversized)
        {
            return;
        }

        var validator = new EventRowValidator(map, reader.FieldCount);
        while (reader.Read())
        {
            if (validator.Validate(reader, out var row) is null && row.UserId.Length == 0)
            {
                throw new InvalidOperationException($"line {reader.Line} was accepted without a user id");
            }
        }
    }

    private static void AssetHeader(Stream input)
    {
        try
        {
            AssetFileParser.Parse("fuzz.sql", "marts", Read(input));
        }
        catch (AssetDeclarationException)
        {
        }
    }

    private static string Read(Stream input)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: false));
        return reader.ReadToEnd();
    }
}
