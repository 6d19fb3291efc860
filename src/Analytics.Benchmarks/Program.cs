using Analytics.Benchmarks;

var what = args.FirstOrDefault() ?? "help";
var rest = args.Skip(1).ToArray();
switch (what)
{
    case "ingest":
        await IngestBenchmark.RunAsync(Options.Long(rest, "--rows", 10_000_000));
        break;
    case "engine":
        await EngineBenchmark.RunAsync(Options.Long(rest, "--assets", 1_000), Options.Long(rest, "--plan-assets", 10_000));
        break;
    case "marts":
        await MartsBenchmark.RunAsync(Options.Long(rest, "--events", 1_000_000), floor: !rest.Contains("--no-floor"),
            settings: Options.Text(rest, "--set"), sharedBuffers: Options.Text(rest, "--shared-buffers"));
        break;
    case "incremental" when rest.Contains("--last-day"):
        await IncrementalBenchmark.RunLastDayAsync();
        break;
    case "incremental":
        await IncrementalBenchmark.RunAsync(Options.Text(rest, "--events") is { } sizes
            ? sizes.Split(',').Select(long.Parse).ToList()
            : [1_000_000, 10_000_000]);
        break;
    case "duckdb":
        await DuckDbBenchmark.RunAsync((int)Options.Long(rest, "--users", 55_000), (int)Options.Long(rest, "--days", 180), (int)Options.Long(rest, "--seed", 11));
        break;
    case "web":
        await WebBenchmark.RunAsync(Options.Long(rest, "--events", 10_000_000), Options.Long(rest, "--assets", 2_000));
        break;
    case "api":
        await ApiBenchmark.RunAsync();
        break;
    case "sources":
        await SourcesBenchmark.RunAsync(Options.Long(rest, "--rows", 1_000_000));
        break;
    case "parse":
        ParseBenchmark.Run(rest.FirstOrDefault() ?? "bench-data/events-277777u-clean.csv");
        break;
    case "floor-script":
        Console.Write(MartsBenchmark.FloorScript(Analytics.Core.Assets.AssetProject.Load("assets-sql")));
        break;
    default:
        Console.WriteLine("usage: dotnet run -c Release --project src/Analytics.Benchmarks -- ingest [--rows N] | engine [--assets N] [--plan-assets N] | marts [--events N] [--no-floor] [--set name=value,...] [--shared-buffers SIZE] | incremental [--events 1000000,10000000] [--last-day] | duckdb [--users 55000] [--days 180] [--seed 11] | sources [--rows N] | api | web [--events N] [--assets N] | dashboard [--seconds N] [--events N] [--rounds N]");
        break;
}
