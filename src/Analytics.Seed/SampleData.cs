using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Core.Assets;
using Analytics.Core.Generation;
using Analytics.Ingest;
using Analytics.Warehouse.Postgres;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Analytics.Seed;

/// <summary>
/// Settings (the AppHost sets them): <c>ConnectionStrings:warehouse</c>; <c>ANALYTICS_ASSETS</c>, whose raw_events declaration reads the file; <c>Analytics:ApiKey</c>;
/// <c>Analytics:Seed:Folder</c> where the file is written; <c>Analytics:Seed:Users</c> (default 5,000);
/// <c>Analytics:Seed:Selection</c>, what to materialize (default <c>*</c>); <c>Analytics:Seed:AppStartedAt</c>, the app's start as Unix milliseconds, for the "first mart" line.
/// </summary>
public sealed class SampleData(IConfiguration configuration, IHttpClientFactory httpClients, ILogger<SampleData> logger)
{
    public const string Gateway = "gateway";
    private static readonly ActivitySource Source = new(typeof(SampleData).Assembly.GetName().Name!);

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var activity = Source.StartActivity("seed sample data");
        var warehouse = configuration.GetConnectionString("warehouse")
                        ?? throw new InvalidOperationException("ConnectionStrings:warehouse is not set; the AppHost passes it with WithReference(warehouse).");
        await using var dataSource = PostgresDataSources.Create(warehouse);
        var assets = configuration["ANALYTICS_ASSETS"] ?? throw new InvalidOperationException("ANALYTICS_ASSETS is not set; the AppHost passes the assets folder.");
        var events = AssetProject.Load(assets).Graph["raw_events"];
        await PostgresSourceTables.EnsureAsync(dataSource, events, cancellationToken);
        await using (var count = dataSource.CreateCommand("select exists (select 1 from raw.raw_events)"))
        {
            if (await count.ExecuteScalarAsync(cancellationToken) is true)
            {
                Say("skipped: the warehouse already has events");
                return 0;
            }
        }

        // Beside the landing folder, not in it: the workers' sensor would ingest it too and start a second run.
        var folder = configuration["Analytics:Seed:Folder"] ?? Path.Combine(Path.GetTempPath(), "analytics-sample-data");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "sample-events.csv");
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
        {
            new EventGenerator(new EventGeneratorOptions { Users = configuration.GetValue("Analytics:Seed:Users", 5_000), Days = 180 }).Write(writer);
        }

        var ingested = await new SourceIngestor(dataSource).IngestAsync(events, file, cancellationToken: cancellationToken);
        Say($"{file}: loaded {ingested.RowsLoaded:N0} events, rejected {ingested.RowsRejected:N0}");

        var http = httpClients.CreateClient(Gateway);
        var selection = configuration["Analytics:Seed:Selection"] ?? "*";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = JsonContent.Create(new { selection }) };
        request.Headers.Add("X-Api-Key", configuration["Analytics:ApiKey"]);
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            Say($"the gateway answered {(int)response.StatusCode} to POST /api/runs: {await response.Content.ReadAsStringAsync(cancellationToken)}");
            return 1;
        }

        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("run_id").GetString()!;
        activity?.SetTag("analytics.run_id", runId);
        Say($"queued run {runId} of '{selection}' through the gateway");
        var status = await FollowAsync(http, runId, cancellationToken);
        Say($"run {runId} {status}");
        return status == "succeeded" ? 0 : 1;
    }

    /// <summary>Polls the run until it ends; says when the first mart is built.</summary>
    private async Task<string> FollowAsync(HttpClient http, string runId, CancellationToken cancellationToken)
    {
        // The marts are whatever the catalog puts in the marts layer; no list of names to keep in step here.
        var assets = await http.GetFromJsonAsync<JsonElement>("/api/assets", cancellationToken);
        var marts = assets.EnumerateArray().Where(a => a.GetProperty("layer").GetString() == "marts")
            .Select(a => a.GetProperty("key").GetString()!).ToHashSet(StringComparer.Ordinal);
        var firstMart = false;
        while (true)
        {
            var run = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}", cancellationToken);
            if (!firstMart && run.GetProperty("steps").EnumerateArray()
                    .Any(s => s.GetProperty("status").GetString() == "succeeded" && marts.Contains(s.GetProperty("asset_key").GetString()!)))
            {
                firstMart = true;
                Say($"first mart materialized {SinceAppStart()}");
            }

            if (run.GetProperty("status").GetString() is ("failed" or "canceled" or "succeeded") and var status)
            {
                return status;
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    private string SinceAppStart() =>
        long.TryParse(configuration["Analytics:Seed:AppStartedAt"], NumberStyles.None, CultureInfo.InvariantCulture, out var started)
            ? $"{(DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(started)).TotalSeconds:0.0} s after the app started"
            : "";

    /// <summary>A line on the console (the AppHost echoes this job's lines) and the same as a log record.</summary>
    private void Say(string line)
    {
        Console.WriteLine(line);
        logger.LogInformation("{Line}", line);
    }
}
