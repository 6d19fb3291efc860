using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Analytics.Core.Generation;

namespace Analytics.Benchmarks;

/// <summary>
/// Catalog API throughput and p99 latency under wrk on loopback, and queue throughput (trivial runs per second)
/// with 1, 2 and 4 worker processes. Needs the solution built in Release and Debian's wrk.
/// </summary>
internal static partial class ApiBenchmark
{
    private const string Key = "bench-key";

    public static async Task RunAsync()
    {
        await using var server = await BenchServer.StartAsync();
        var db = await server.CreateDatabaseAsync("bench_api");
        var events = Path.Combine(Path.GetTempPath(), $"bench-api-{Guid.NewGuid():N}.csv");
        await using (var writer = new StreamWriter(events))
        {
            new EventGenerator(new EventGeneratorOptions { Users = 500, Days = 60 }).Write(writer);
        }

        var environment = new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_ASSETS"] = Path.GetFullPath("assets-sql") };
        await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", events], environment);
        File.Delete(events);

        var port = 5400 + Random.Shared.Next(500);
        using (var api = StartService("Analytics.Api", environment, port, inProcessWorker: true))
        {
            using var client = await ReadyClientAsync(port);
            var runId = await EnqueueAsync(client, "+fct_events");
            await WaitAsync(client, [runId]);
            await WaitAsync(client, [await EnqueueAsync(client, "+growth_metrics")]);
            // The two reads of warehouse rows: each is recorded in the audit log; a preview reads as the row-level security
            // role with classified columns masked (an anonymous read), a mart answer comes from the API's cache after the first.
            foreach (var path in new[] { "/api/assets", $"/api/runs/{runId}", "/api/marts/growth_metrics/rows?limit=100", "/api/assets/dim_users/preview?limit=50" })
            {
                using var probe = await client.GetAsync(path);
                if (!probe.IsSuccessStatusCode)
                {
                    throw new InvalidOperationException($"GET {path} answered {(int)probe.StatusCode}, so its rate would measure refusals");
                }

                var (rps, p99) = await WrkAsync($"http://127.0.0.1:{port}{path}");
                Console.WriteLine($"GET {path,-48} {rps,10:N0} requests/s   p99 {p99}");
            }
        }

        var trivial = WriteTrivialAssets();
        var queueEnvironment = new Dictionary<string, string>(environment) { ["ANALYTICS_ASSETS"] = trivial };
        foreach (var workers in new[] { 1, 2, 4 })
        {
            using var api = StartService("Analytics.Api", queueEnvironment, port + 1, inProcessWorker: false);
            using var client = await ReadyClientAsync(port + 1);
            var processes = Enumerable.Range(0, workers).Select(i => StartService("Analytics.Worker", queueEnvironment, port + 10 + i, inProcessWorker: true)).ToList();
            foreach (var i in Enumerable.Range(0, workers))
            {
                (await ReadyClientAsync(port + 10 + i)).Dispose();
            }

            const int runs = 200;
            var clock = Stopwatch.StartNew();
            var ids = new List<string>();
            for (var i = 0; i < runs; i++)
            {
                ids.Add(await EnqueueAsync(client, "trivial"));
            }

            await WaitAsync(client, ids);
            Console.WriteLine($"queue, {workers} worker(s): {runs} runs of a trivial asset in {clock.Elapsed.TotalSeconds:0.0} s = {runs / clock.Elapsed.TotalSeconds:0.0} runs/s");
            processes.ForEach(p => p.Dispose());
        }

        Directory.Delete(Path.GetDirectoryName(trivial)!, recursive: true);
    }

    private static string WriteTrivialAssets()
    {
        var root = Path.Combine(Path.GetTempPath(), $"bench-trivial-{Guid.NewGuid():N}", "assets-sql");
        Directory.CreateDirectory(Path.Combine(root, "bench"));
        File.WriteAllText(Path.Combine(root, "bench", "trivial.sql"), "select 1 as x");
        return root;
    }

    internal static Service StartService(string name, Dictionary<string, string> environment, int port, bool inProcessWorker)
    {
        var dll = Path.GetFullPath(Path.Combine("src", name, "bin", "Release", "net10.0", $"{name}.dll"));
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Analytics__ApiKey"] = Key;
        info.Environment["Analytics__InProcessWorker"] = inProcessWorker ? "true" : "false";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Service(process);
    }

    internal static async Task<HttpClient> ReadyClientAsync(int port)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                if ((await client.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return client;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"nothing healthy on port {port}");
    }

    private static async Task<string> EnqueueAsync(HttpClient client, string selection)
    {
        var response = await client.PostAsJsonAsync("/api/runs", new { selection });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("run_id").GetString()!;
    }

    private static async Task WaitAsync(HttpClient client, IReadOnlyList<string> runIds)
    {
        foreach (var runId in runIds)
        {
            while ((await client.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}")).GetProperty("status").GetString() is "queued" or "running")
            {
                await Task.Delay(20);
            }
        }
    }

    private static async Task<(double RequestsPerSecond, string P99)> WrkAsync(string url)
    {
        var (_, output) = await ChildProcess.RunAsync("wrk", ["-t2", "-c32", "-d10s", "--latency", url]);
        var rps = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        return (rps, P99().Match(output).Groups[1].Value);
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"99%\s+(\S+)")]
    private static partial Regex P99();

    internal sealed class Service(Process process) : IDisposable
    {
        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }
}
