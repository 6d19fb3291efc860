using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Analytics.Core.Generation;
using Analytics.Ingest;
using Analytics.Orchestration;

namespace Analytics.Cli.Commands;

public static class GenerateEventsCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var defaults = new EventGeneratorOptions();
        var outFile = new Option<string>("--out") { Description = "the CSV file to write" };
        var partnerReport = new Option<string>("--partner-report")
        {
            Description = "also (or only) write a partner's daily top-ups report (.xlsx, sheet 'Channels') over the same days, for raw_partner_channels",
        };
        var users = new Option<int>("--users") { Description = "number of users", DefaultValueFactory = _ => defaults.Users };
        var days = new Option<int>("--days") { Description = "length of the period in days", DefaultValueFactory = _ => defaults.Days };
        var start = new Option<string>("--start") { Description = "first day, YYYY-MM-DD", DefaultValueFactory = _ => defaults.Start.ToString("yyyy-MM-dd") };
        var seed = new Option<int>("--seed") { Description = "random seed; the same seed writes the same file", DefaultValueFactory = _ => defaults.Seed };
        var dirty = new Option<double>("--dirty-rate") { Description = "share of rows written dirty, 0 to 1", DefaultValueFactory = _ => defaults.DirtyRate };
        var command = new Command("generate-events", "Write realistic sample events (with some dirty rows) in the input schema.")
        {
            outFile, partnerReport, users, days, start, seed, dirty,
        };
        command.SetAction(parse =>
        {
            if (!DateOnly.TryParseExact(parse.GetValue(start), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var startDate))
            {
                throw new ArgumentException($"--start '{parse.GetValue(start)}' is not a date; write it as YYYY-MM-DD.");
            }

            var rate = parse.GetValue(dirty);
            if (rate is < 0 or > 1 || parse.GetValue(users) < 1 || parse.GetValue(days) < 1)
            {
                throw new ArgumentException("--users and --days must be at least 1 and --dirty-rate between 0 and 1.");
            }

            var options = new EventGeneratorOptions
            {
                Users = parse.GetValue(users),
                Days = parse.GetValue(days),
                Start = startDate,
                Seed = parse.GetValue(seed),
                DirtyRate = rate,
            };
            if (parse.GetValue(partnerReport) is { } report)
            {
                if (!report.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
                {
                    throw new ArgumentException($"--partner-report '{report}' must name an .xlsx file.");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(report))!);
                var written = PartnerReport.Write(report, startDate, options.Days, options.Seed);
                output.WriteLine($"{report}: wrote {written:N0} partner report rows ({options.Days} days x {PartnerReport.Channels.Length} channels)");
            }

            if (parse.GetValue(outFile) is not { } path)
            {
                return parse.GetValue(partnerReport) is null
                    ? throw new ArgumentException("give --out FILE.csv for events, --partner-report FILE.xlsx for the partner report, or both.")
                    : CliApp.Ok;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var clock = Stopwatch.StartNew();
            using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
            var rows = new EventGenerator(options).Write(writer);
            output.WriteLine($"{path}: wrote {rows:N0} events for {options.Users:N0} users over {options.Days} days in {clock.Elapsed.TotalSeconds:0.0}s");
            return CliApp.Ok;
        });
        return command;
    }
}
