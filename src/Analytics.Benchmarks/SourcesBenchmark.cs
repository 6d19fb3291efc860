using Analytics.Ingest;

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

    private static async Task DatabaseAsync(BenchServer server, long rows)
    {
        var source = await server.CreateDatabaseAsync("bench_appdb");
        var target = await server.CreateDatabaseAsync("bench_copy");
        const string Table = "(user_id text primary key, tier text not null, country text, signed_up_at timestamptz not null, updated_at timestamptz not null, tenant_id text)";
        await ExecuteAsync(source, $"create table users {Table}; create index on users (updated_at, user_id); "
                                   + $"insert into users select 'u' || i, (array['basic','silver','gold','platinum'])[1 + i % 4], (array['SG','MY','TH'])[1 + i % 3], "
                                   + $"now() - interval '40 days', now() - interval '30 days' + (i * interval '30 days' / {rows}) - interval '1 hour', 'default' "
                                   + $"from generate_series(1, {rows}) as i; analyze users");
        await ExecuteAsync(target, $"create table users {Table}");
        var port = server.Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var psql = ChildProcess.Psql;
        var (psqlTime, _) = await ChildProcess.RunAsync("bash", ["-c",
            $"{psql} -h 127.0.0.1 -p {port} -U postgres -d bench_appdb -c \"\\copy (select user_id, tier, country, signed_up_at, updated_at, tenant_id from users) to stdout\" "
            + $"| {psql} -h 127.0.0.1 -p {port} -U postgres -d bench_copy -c \"\\copy users from stdin\""]);
        Console.WriteLine($"psql \\copy pipe, {rows:N0} rows: {psqlTime.TotalSeconds:0.00} s ({rows / psqlTime.TotalSeconds:N0} rows/s)");

        var warehouse = await server.CreateDatabaseAsync("bench_extract");
        // Under /usr/bin/time: the CLI's own CPU (user + system) beside its wall time, to tell its work from the servers'.
        var (time, output) = await ChildProcess.RunAsync("/usr/bin/time", ["-f", "cli cpu: %U s user, %S s system", "dotnet", ChildProcess.CliDll, "materialize", "raw_users"],
            new Dictionary<string, string>
            {
                ["ConnectionStrings__warehouse"] = warehouse, ["ConnectionStrings__appdb"] = source, ["ANALYTICS_REPORT_MEMORY"] = "1",
            });
        var peak = output.Split('\n').First(l => l.StartsWith("peak memory", StringComparison.Ordinal));
        await using var check = BenchServer.Open(warehouse);
        await using var count = check.CreateCommand("select count(*) from raw.raw_users");
        var extracted = (long)(await count.ExecuteScalarAsync())!;
        // Again, with nothing new to read: what a run costs whatever it extracts (process start, schema check, bookkeeping).
        var (idle, idleOutput) = await ChildProcess.RunAsync("/usr/bin/time", ["-f", "cli cpu: %U s user, %S s system", "dotnet", ChildProcess.CliDll, "materialize", "raw_users"],
            new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = warehouse, ["ConnectionStrings__appdb"] = source });
        Console.WriteLine($"the same with nothing new: {idle.TotalSeconds:0.00} s; {idleOutput.Split('\n').First(l => l.StartsWith("cli cpu", StringComparison.Ordinal))}");
        Console.WriteLine($"analytics materialize raw_users: {time.TotalSeconds:0.00} s ({extracted / time.TotalSeconds:N0} rows/s, {extracted:N0} rows) "
                          + $"= {psqlTime.TotalSeconds / time.TotalSeconds:0.00}x psql, {peak}; "
                          + output.Split('\n').First(l => l.StartsWith("cli cpu", StringComparison.Ordinal)));
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var dataSource = BenchServer.Open(connectionString);
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }
}
