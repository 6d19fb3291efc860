using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Core.Generation;
using Analytics.Ingest;
using Analytics.Warehouse.Postgres;

namespace AppHost.Resources;

/// <summary>
/// First start with an empty warehouse: writes sample events (under the AppHost's home), ingests them, and asks the
/// API (through the gateway) for a full materialization, so the user lands on real numbers.
/// </summary>
public sealed class SampleDataResource(string name, PostgresDatabaseResource warehouse, ProjectResource gateway, ParameterResource apiKey) : Resource(name)
{
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();

    public int Users { get; set; } = 5_000;

    /// <summary>The full materialization this job asked for, when it asked for one.</summary>
    public string? RunId { get; private set; }

    /// <summary>Completes when that run has finished (at once when the warehouse already had events).</summary>
    public Task Finished { get; private set; } = Task.CompletedTask;

    /// <summary>Completes when the first mart of that run is materialized (or the run ends without one).</summary>
    public Task<TimeSpan?> FirstMart { get; private set; } = Task.FromResult<TimeSpan?>(null);

    public override async Task StartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        await using var dataSource = PostgresDataSources.Create(warehouse.ConnectionString!);
        await WarehouseSchema.EnsureAsync(dataSource, cancellationToken);
        await using (var count = dataSource.CreateCommand("select exists (select 1 from raw.raw_events)"))
        {
            if (await count.ExecuteScalarAsync(cancellationToken) is true)
            {
                MarkReady("skipped: the warehouse already has events");
                return;
            }
        }

        // Beside the landing folder, not in it: the workers' sensor would ingest it too and start a second run.
        var folder = Path.Combine(runtime.Home, "sample-data");
        Directory.CreateDirectory(folder);
        var file = Path.Combine(folder, "sample-events.csv");
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
        {
            new EventGenerator(new EventGeneratorOptions { Users = Users, Days = 180 }).Write(writer);
        }

        var ingested = await new EventIngestor(dataSource).IngestAsync(file, cancellationToken: cancellationToken);
        runtime.Log(Name, $"{file}: loaded {ingested.RowsLoaded:N0} events, rejected {ingested.RowsRejected:N0}");

        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url!) };
        http.DefaultRequestHeaders.Add("X-Api-Key", apiKey.Value);
        var response = await http.PostAsJsonAsync("/api/runs", new { selection = "*" }, cancellationToken);
        response.EnsureSuccessStatusCode();
        RunId = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("run_id").GetString();
        FirstMart = WatchFirstMartAsync(runtime, cancellationToken);
        Finished = WaitForRunAsync(cancellationToken);
        MarkReady($"queued run {RunId} of '*' through the gateway");
    }

    private async Task WaitForRunAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url!) };
        while ((await http.GetFromJsonAsync<JsonElement>($"/api/runs/{RunId}", cancellationToken)).GetProperty("status").GetString() is "queued" or "running")
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    private async Task<TimeSpan?> WatchFirstMartAsync(AppRuntime runtime, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(gateway.Url!) };
        // The marts are whatever the catalog puts in the marts layer; no list of names to keep in step here.
        var assets = await http.GetFromJsonAsync<JsonElement>("/api/assets", cancellationToken);
        var martKeys = assets.EnumerateArray().Where(a => a.GetProperty("layer").GetString() == "marts")
            .Select(a => a.GetProperty("key").GetString()!).ToHashSet(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            var run = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{RunId}", cancellationToken);
            var marts = run.GetProperty("steps").EnumerateArray()
                .Any(s => s.GetProperty("status").GetString() == "succeeded" && martKeys.Contains(s.GetProperty("asset_key").GetString()!));
            if (marts)
            {
                runtime.Log(Name, $"first mart materialized {_sinceStart.Elapsed.TotalSeconds:0.0} s after the app started");
                return _sinceStart.Elapsed;
            }

            if (run.GetProperty("status").GetString() is "failed" or "canceled" or "succeeded")
            {
                return null;
            }

            await Task.Delay(250, cancellationToken);
        }

        return null;
    }
}
