using System.Text;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Ingest;
using Analytics.Core.Selection;
using Analytics.Warehouse.Postgres;
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
        ["mart-query"] = MartQuery,
    };

    /// <summary>The columns the mart-query target's relation has (growth_metrics').</summary>
    private static readonly string[] MartColumns = ["date", "dau", "wau", "mau", "stickiness", "new_users", "retained_users"];

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

    /// <summary>raw_events' declaration, from the repository's assets-sql (the fuzzer runs from inside the repository).</summary>
    private static readonly Lazy<Analytics.Core.Sources.SourceDeclaration> Events = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "assets-sql")))
            {
                return AssetProject.Load(Path.Combine(dir.FullName, "assets-sql")).Graph["raw_events"].Source!;
            }
        }

        throw new InvalidOperationException("assets-sql not found above " + AppContext.BaseDirectory);
    });

    private static void Csv(Stream input)
    {
        using var reader = new CsvRecordReader(new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: false)), maxRecordLength: 4_096);
        if (!reader.Read())
        {
            return;
        }

        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToList();
        var map = SourceHeader.Map(Events.Value, header, out var problem);
        if (problem is not null || reader.Oversized)
        {
            return;
        }

        var validator = new SourceRowValidator(Events.Value, map, reader.FieldCount);
        var row = new SourceRow(Events.Value);
        while (reader.Read())
        {
            if (validator.Validate(reader, row) is null && string.IsNullOrEmpty(row.TextOf("user_id")))
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

    /// <summary>
    /// A mart query as the API reads it, one parameter per line: columns, group_by, order, then filters. What parses
    /// has one structural cache key however often it is parsed, a key no other query shares when a value holds a
    /// separator (finding 3), and SQL whose every value is a parameter and every identifier a column of the mart.
    /// </summary>
    private static void MartQuery(Stream input)
    {
        var lines = Read(input).Split('\n');
        string? Line(int i) => i < lines.Length && lines[i].Length > 0 ? lines[i] : null;
        var filters = lines.Skip(3).Take(TableQueryParser.MaxFilters + 2).ToArray();
        TableQuery query;
        IReadOnlyList<string> chosen;
        try
        {
            query = TableQueryParser.Parse(Line(0), filters, Line(2), Line(1), 100);
            var again = TableQueryParser.Parse(Line(0), filters, Line(2), Line(1), 100);
            if (!TableQuery.Structural.Equals(query, again) || TableQuery.Structural.GetHashCode(query) != TableQuery.Structural.GetHashCode(again))
            {
                throw new InvalidOperationException("the same text parsed twice has two cache keys");
            }

            for (var i = 0; i + 1 < query.Filters.Count; i++)
            {
                // The poisoned key of finding 3: filter i swallowing filter i+1 behind a '&'.
                var next = query.Filters[i + 1];
                var merged = query.Filters.Take(i).Append(query.Filters[i] with
                {
                    Value = $"{query.Filters[i].Value}&{next.Column}:{next.Operator.ToString().ToLowerInvariant()}:{next.Value}",
                }).Concat(query.Filters.Skip(i + 2)).ToList();
                if (TableQuery.Structural.Equals(query, query with { Filters = merged }))
                {
                    throw new InvalidOperationException($"filters {i} and {i + 1} share a cache key with one filter holding both");
                }
            }

            chosen = query.ResolveColumns(MartColumns, "growth_metrics");
        }
        catch (TableQueryException)
        {
            return;
        }

        var (sql, values) = PostgresTableQuerySql.Build("\"marts\".\"growth_metrics\"", chosen, query);
        if (!values.SequenceEqual(query.Filters.Select(f => f.Value)))
        {
            throw new InvalidOperationException("the parameters are not the filter values in order");
        }

        var outside = sql.Replace("\"marts\".\"growth_metrics\"", "", StringComparison.Ordinal);
        foreach (var quoted in QuotedIdentifiers(outside))
        {
            if (!MartColumns.Contains(quoted) && quoted is not TableQuery.CountColumn and not PostgresTableQuerySql.TotalColumn)
            {
                throw new InvalidOperationException($"the SQL names \"{quoted}\", no column of the mart: {sql}");
            }
        }

        if (outside.Contains('\'') || outside.Contains(';') || outside.Contains("--", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"a value reached the SQL text: {sql}");
        }
    }

    private static IEnumerable<string> QuotedIdentifiers(string sql)
    {
        for (var start = sql.IndexOf('"'); start >= 0; start = sql.IndexOf('"', start))
        {
            var end = sql.IndexOf('"', start + 1);
            if (end < 0)
            {
                throw new InvalidOperationException($"an identifier is never closed: {sql}");
            }

            yield return sql[(start + 1)..end];
            start = end + 1;
        }
    }

    private static string Read(Stream input)
    {
        using var reader = new StreamReader(input, new UTF8Encoding(false, throwOnInvalidBytes: false));
        return reader.ReadToEnd();
    }
}
