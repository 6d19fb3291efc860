using System.Diagnostics;
using Analytics.Dashboard;
using Analytics.Postgres.Server;
using Google.Protobuf;
using Opentelemetry.Proto.Collector.Trace.V1;
using Opentelemetry.Proto.Common.V1;
using Opentelemetry.Proto.Resource.V1;
using Opentelemetry.Proto.Trace.V1;

namespace Analytics.Benchmarks;

/// <summary>
/// The AppHost dashboard's two figures: how many spans per second its OTLP/HTTP receiver ingests (decode and store,
/// over HTTP from concurrent exporters), and what exporting everything to it costs the engine on the main job
/// (<c>materialize '*'</c> through the CLI with the dashboard on, against off).
/// </summary>
internal static class DashboardBenchmark
{
    public static async Task RunAsync(long events, int seconds, int rounds)
    {
        await ReceiverAsync(seconds);
        await EngineOverheadAsync(events, rounds);
    }

    private static async Task ReceiverAsync(int seconds)
    {
        await using var dashboard = new DashboardServer(new NoResources());
        // 256 spans per export, as the .NET batch exporter sends them, each with the attributes an Npgsql span carries.
        var body = Export(256).ToByteArray();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add(DashboardServer.OtlpKeyHeader, dashboard.OtlpKey);
        var clock = Stopwatch.StartNew();
        long exports = 0;
        var deadline = TimeSpan.FromSeconds(seconds);
        var before = GC.GetTotalAllocatedBytes();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            while (clock.Elapsed < deadline)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
                using var response = await http.PostAsync(dashboard.OtlpEndpoint + "/v1/traces", content);
                response.EnsureSuccessStatusCode();
                Interlocked.Increment(ref exports);
            }
        }));
        var spans = exports * 256;
        Console.WriteLine($"receiver: {spans:N0} spans in {clock.Elapsed.TotalSeconds:0.0} s = {spans / clock.Elapsed.TotalSeconds:N0} spans/s "
                          + $"({exports:N0} exports of 256 spans, {body.Length:N0} bytes each, 4 concurrent senders, client and server on the same 2 cores); "
                          + $"kept {dashboard.Telemetry.SpanCount:N0} (bounded at {dashboard.Telemetry.MaxSpans:N0}); "
                          + $"{(GC.GetTotalAllocatedBytes() - before) / (double)spans:N0} bytes allocated per span");
    }

    private static async Task EngineOverheadAsync(long events, int rounds)
    {
        var users = (int)Math.Max(100, events / 36);
        var file = IngestBenchmark.GenerateOnce($"bench-data/events-{users}u-dirty.csv", users, dirtyRate: 0.02);
        await using var server = await BenchServer.StartAsync(new EmbeddedPostgresOptions().SharedBuffers);
        var db = await server.CreateDatabaseAsync("bench_dashboard");
        var off = new Dictionary<string, string> { ["ConnectionStrings__warehouse"] = db, ["ANALYTICS_ASSETS"] = Path.GetFullPath("assets-sql") };
        await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "ingest", file], off);
        await using var dashboard = new DashboardServer(new NoResources());
        var on = new Dictionary<string, string>(off)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = dashboard.OtlpEndpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = $"{DashboardServer.OtlpKeyHeader}={dashboard.OtlpKey}",
        };
        var (processOff, engineOff, processOn, engineOn) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            // Alternate, so drift in the machine's speed falls on both sides alike.
            foreach (var (environment, process, engine) in new[] { (off, processOff, engineOff), (on, processOn, engineOn) })
            {
                var (elapsed, output) = await ChildProcess.RunAsync("dotnet", [ChildProcess.CliDll, "materialize", "*"], environment);
                process.Add(elapsed.TotalSeconds);
                // The engine's own figure: "run <id> succeeded: 18 asset(s) in 11.9s".
                engine.Add(double.Parse(System.Text.RegularExpressions.Regex.Match(output, @"asset\(s\) in (?<s>[0-9.]+)s").Groups["s"].Value,
                    System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        string Line(string name, List<double> a, List<double> b) =>
            $"  {name}: off {string.Join(", ", a.Select(t => t.ToString("0.0")))} s (median {Median(a):0.0}); on {string.Join(", ", b.Select(t => t.ToString("0.0")))} s "
            + $"(median {Median(b):0.0}); cost {(Median(b) / Median(a) - 1) * 100:+0.0;-0.0} %";
        Console.WriteLine($"engine, materialize '*' on about {events:N0} events, {rounds} rounds, dashboard off then on; the dashboard received "
                          + $"{dashboard.Telemetry.SpanCount:N0} spans");
        Console.WriteLine(Line("the run (engine's own duration)", engineOff, engineOn));
        Console.WriteLine(Line("the process (start, run, telemetry flush, exit)", processOff, processOn));
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static ExportTraceServiceRequest Export(int spans)
    {
        var scope = new ScopeSpans { Scope = new InstrumentationScope { Name = "Npgsql", Version = "10.0.3" } };
        var trace = ByteString.CopyFrom(Guid.NewGuid().ToByteArray());
        var start = (ulong)DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;
        for (var i = 0; i < spans; i++)
        {
            var span = new Span
            {
                TraceId = i % 32 == 0 ? ByteString.CopyFrom(Guid.NewGuid().ToByteArray()) : trace,
                SpanId = ByteString.CopyFrom(BitConverter.GetBytes((long)i)),
                ParentSpanId = ByteString.CopyFrom(BitConverter.GetBytes((long)i / 2)),
                Name = "postgresql",
                Kind = Span.Types.SpanKind.Client,
                StartTimeUnixNano = start + (ulong)i * 1000,
                EndTimeUnixNano = start + (ulong)i * 1000 + 500_000,
            };
            span.Attributes.Add(Attribute("db.system", "postgresql"));
            span.Attributes.Add(Attribute("db.name", "analytics"));
            span.Attributes.Add(Attribute("db.statement", "select failing.*, count(*) over () as failing_rows__ from (select * from \"marts\".\"growth_metrics\" where dau is null) as failing limit 5"));
            span.Attributes.Add(Attribute("db.user", "postgres"));
            span.Attributes.Add(Attribute("net.peer.ip", "127.0.0.1"));
            span.Attributes.Add(Attribute("db.connection_id", "4242"));
            scope.Spans.Add(span);
        }

        var resource = new ResourceSpans { Resource = new Resource() };
        resource.Resource.Attributes.Add(Attribute("service.name", "worker"));
        resource.Resource.Attributes.Add(Attribute("service.instance.id", "worker-0"));
        resource.ScopeSpans.Add(scope);
        var request = new ExportTraceServiceRequest();
        request.ResourceSpans.Add(resource);
        return request;
    }

    private static KeyValue Attribute(string key, string value) => new() { Key = key, Value = new AnyValue { StringValue = value } };

    private sealed class NoResources : IResourceControl
    {
        public IReadOnlyList<ResourceView> Resources() => [];

        public Task<string?> ActAsync(string resource, string action, int? replica, CancellationToken cancellationToken) => Task.FromResult<string?>("none");
    }
}
