using Analytics.Ingest;
using Analytics.Warehouse.Postgres;

namespace Analytics.Benchmarks;

/// <summary>
/// The declared sources' two new readers, through the CLI as a child process with its peak memory: a 1 M-row partner
/// report (.xlsx) ingested into raw_partner_channels, and a 1 M-row appdb users table extracted by watermark into
/// raw_users (windows of a day, by key) against psql's <c>\copy (select ...) to stdout | \copy ... from stdin</c> of the
/// same rows between the same two databases.
/// </summary>
internal static class SourcesBenchmark
{
    public static async Task RunAsync(long rows)
    {
        await using var server = await BenchServer.StartAsync();
        if (Environment.GetEnvironmentVariable("BENCH_SKIP_XLSX") is null)
        {
            await SpreadsheetAsync(server, rows);
        }

        await DatabaseAsync(server, rows);
    }

    private static async Task SpreadsheetAsync(BenchServer server, long rows)
    {
        var days = (int)Math.Max(1, rows / PartnerReport.Channels.Length);
        var file = Path.GetFullPath($"bench-data/partner-{days}d.xlsx");
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            // Dates run from year 2000 for as many days as it takes: the source accepts any date.
            PartnerReport.Write(file, new DateOnly(2000, 1, 1), days, seed: 3);
        }

        var db = await server.CreateDatabaseAsync("bench_xlsx");
        var (time, output) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", "--source", "raw_partner_channels", file],
            new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_REPORT_MEMORY"] = "1" });
        var loaded = output.Split('\n').FirstOrDefault(l => l.Contains("loaded", StringComparison.Ordinal))?.Trim() ?? output;
        var peak = output.Split('\n').First(l => l.StartsWith("peak memory", StringComparison.Ordinal));
        Console.WriteLine($"xlsx, {days * PartnerReport.Channels.Length:N0} rows ({new FileInfo(file).Length / 1e6:N0} MB): {time.TotalSeconds:0.00} s "
                          + $"({days * PartnerReport.Channels.Length / time.TotalSeconds:N0} rows/s), {peak}");
        Console.WriteLine($"  {loaded}");
    }

    /// <summary>Rounds of each measurement, alternated, the best of each kept: the machine's noise (autovacuum of the last load, a neighbour) is larger than the differences.</summary>
    private const int Rounds = 3;

    private static async Task DatabaseAsync(BenchServer server, long rows)
    {
        var source = await server.CreateDatabaseAsync("bench_appdb");
        const string Table = "(user_id text primary key, tier text not null, country text, signed_up_at timestamptz not null, updated_at timestamptz not null, tenant_id text)";
        await ExecuteAsync(source, $"create table users {Table}; create index on users (updated_at, user_id); "
                                   + $"insert into users select 'u' || i, (array['basic','silver','gold','platinum'])[1 + i % 4], (array['SG','MY','TH'])[1 + i % 3], "
                                   + $"now() - interval '40 days', now() - interval '30 days' + (i * interval '30 days' / {rows}) - interval '1 hour', 'default' "
                                   + $"from generate_series(1, {rows}) as i; analyze users");
        var port = server.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var psql = ChildProcess.Psql;
        var declaration = Analytics.Core.Assets.AssetFileParser.Parse("assets-sql/raw/raw_users.sql", "raw",
            await File.ReadAllTextAsync(Path.GetFullPath("assets-sql/raw/raw_users.sql"))).Asset;
        var (psqlTimes, cliTimes, aloneTimes) = (new List<double>(), new List<double>(), new List<double>());
        string cliLine = "", idleLine = "";
        for (var round = 1; round <= Rounds; round++)
        {
            var target = await server.CreateDatabaseAsync($"bench_copy_{round}");
            await ExecuteAsync(target, $"create table users {Table}");
            var (psqlTime, _) = await ChildProcess.RunAsync("bash", ["-c",
                $"{psql} -h 127.0.0.1 -p {port} -U postgres -d bench_appdb -c \"\\copy (select user_id, tier, country, signed_up_at, updated_at, tenant_id from users) to stdout\" "
                + $"| {psql} -h 127.0.0.1 -p {port} -U postgres -d bench_copy_{round} -c \"\\copy users from stdin\""]);
            psqlTimes.Add(psqlTime.TotalSeconds);

            var warehouse = await server.CreateDatabaseAsync($"bench_extract_{round}");
            // Under /usr/bin/time: the CLI's own CPU (user + system) beside its wall time, to tell its work from the servers'.
            var (time, output) = await ChildProcess.RunAsync("/usr/bin/time", ["-f", "cli cpu: %U s user, %S s system", "dotnet", ChildProcess.CliDll, "materialize", "raw_users"],
                new Dictionary<string, string>
                {
                    ["ConnectionStrings__warehouse"] = warehouse,
                    ["ConnectionStrings__appdb"] = source,
                    ["ANALYTICS_REPORT_MEMORY"] = "1",
                });
            cliTimes.Add(time.TotalSeconds);
            await using (var check = BenchServer.Open(warehouse))
            await using (var count = check.CreateCommand("select count(*) from raw.raw_users"))
            {
                var extracted = (long)(await count.ExecuteScalarAsync())!;
                cliLine = $"{extracted:N0} rows, {output.Split('\n').First(l => l.StartsWith("peak memory", StringComparison.Ordinal))}; "
                          + output.Split('\n').First(l => l.StartsWith("cli cpu", StringComparison.Ordinal));
            }

            if (round == 1)
            {
                // Again, with nothing new to read: what a run costs whatever it extracts (process start, schema check, bookkeeping).
                var (idle, idleOutput) = await ChildProcess.RunAsync("/usr/bin/time", ["-f", "cli cpu: %U s user, %S s system", "dotnet", ChildProcess.CliDll, "materialize", "raw_users"],
                    new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = warehouse, ["ConnectionStrings__appdb"] = source });
                idleLine = $"{idle.TotalSeconds:0.00} s; {idleOutput.Split('\n').First(l => l.StartsWith("cli cpu", StringComparison.Ordinal))}";
            }

            // The extraction alone, as a worker runs it (no process start, no run bookkeeping, no checks): the same
            // declaration into a fresh warehouse, from the first window to the key index built.
            var alone = await server.CreateDatabaseAsync($"bench_extract_alone_{round}");
            await using var aloneWarehouse = BenchServer.Open(alone);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await new DatabaseExtractor(new PostgresExtractionTarget(aloneWarehouse), name => name == "appdb" ? source : null).ExtractAsync(declaration, null, default);
            aloneTimes.Add(clock.Elapsed.TotalSeconds);
        }

        string Times(List<double> times) => $"best {times.Min():0.00} s of {string.Join(", ", times.Select(t => t.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)))}";
        var reference = psqlTimes.Min();
        Console.WriteLine($"psql \\copy pipe, {rows:N0} rows: {Times(psqlTimes)} ({rows / reference:N0} rows/s)");
        Console.WriteLine($"analytics materialize raw_users (a process, a run, its checks): {Times(cliTimes)} = {reference / cliTimes.Min():0.00}x psql; {cliLine}");
        Console.WriteLine($"  the same with nothing new: {idleLine}");
        Console.WriteLine($"the extraction alone (in process, windows of a day, key index built at the end): {Times(aloneTimes)} "
                          + $"({rows / aloneTimes.Min():N0} rows/s) = {reference / aloneTimes.Min():0.00}x psql");
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var dataSource = BenchServer.Open(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }
}
