using System.Globalization;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// A snapshot over a table the test edits (<c>{layer}_src.users</c>: user_id, tier, country, updated_at), run at
/// times the test sets, and its versions read back as one line each.
/// </summary>
internal sealed class SnapshotHarness(DatabaseFixture db, string header)
{
    public static readonly DateTime Day = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public string Layer { get; } = "snap_" + Guid.NewGuid().ToString("N")[..10];

    public string Source => $"{Layer}_src.users";

    public TestClock Clock { get; } = new();

    public async Task CreateSourceAsync() =>
        await db.ExecuteAsync($"create schema {Layer}_src; create table {Source} (user_id text, tier text, country text, updated_at timestamptz)");

    /// <summary>Replaces the source's rows: (user, tier, country, minutes after midnight of <see cref="Day"/>).</summary>
    public async Task SetAsync(params (string User, string? Tier, string? Country, double Minute)[] rows)
    {
        var values = rows.Select(r => $"({Text(r.User)}, {Text(r.Tier)}, {Text(r.Country)}, {Time(r.Minute)})");
        await db.ExecuteAsync($"truncate {Source};" + (rows.Length == 0 ? "" : $" insert into {Source} values {string.Join(", ", values)}"));
    }

    /// <summary>Runs the snapshot (and whatever else is given) at <paramref name="minute"/> after midnight.</summary>
    public async Task<RunResult> RunAtAsync(double minute, Action<ExecutorOptions>? configure = null, string select = "select * from {0}",
        params (string Key, string Sql)[] more)
    {
        Clock.Now = new DateTimeOffset(Day.AddMinutes(minute));
        var files = new Dictionary<string, string> { [$"{Layer}/snap.sql"] = $"/*\n{header}\n*/\n{string.Format(CultureInfo.InvariantCulture, select, Source)}" };
        foreach (var (key, sql) in more)
        {
            files[$"{Layer}/{key}.sql"] = sql;
        }

        var project = AssetProject.Load(TestFiles.Assets(files));
        var options = new ExecutorOptions
        {
            Parallelism = 1,
            Clock = Clock,
            // As a worker runs it: loads followed, and the snapshot's definition recorded.
            Intervals = new Analytics.RunStore.PostgresIntervalStore(db.DataSource),
            SourceWatermark = new Analytics.Ingest.PostgresIngestManifest(db.DataSource),
        };
        configure?.Invoke(options);
        return await new AssetExecutor(project, new PostgresWarehouse(db.DataSource), options).MaterializeAsync(project.Graph.TopologicalOrder.ToArray());
    }

    /// <summary>
    /// Each version: "user tier country from..to" with minutes after midnight (to is "now" while open), then
    /// "current" and "deleted" where they hold.
    /// </summary>
    public async Task<List<string>> VersionsAsync(string keyColumn = "user_id") =>
        (await db.RowsAsync($"select {keyColumn}, tier, country, valid_from, valid_to, is_current, is_deleted from {Layer}.snap order by {keyColumn}, valid_from"))
        .Select(r => string.Join(" ", new[]
        {
            (string)r[0]!, r[1] as string ?? "null", r[2] as string ?? "null",
            $"{Minute((DateTime)r[3]!)}..{(r[4] is DateTime to ? Minute(to) : "now")}",
            (bool)r[5]! ? "current" : null, (bool)r[6]! ? "deleted" : null,
        }.OfType<string>()))
        .ToList();

    private static string Minute(DateTime at) => (at.ToUniversalTime() - Day).TotalMinutes.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Text(string? value) => value is null ? "null" : $"'{value}'";

    private static string Time(double minute) => minute is double.NaN ? "null"
        : $"timestamptz '{Day.AddMinutes(minute):yyyy-MM-dd HH:mm:ss.ffffff}+00'";
}

/// <summary>A clock a test sets by hand.</summary>
internal sealed class TestClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;

    public override DateTimeOffset GetUtcNow() => Now;
}
