using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Analytics.Testing;

/// <summary>One request the server received.</summary>
public sealed record GoogleApiRequest(string Method, string PathAndQuery, string? Authorization, string Body)
{
    public JsonNode? Json => Body.Length > 0 && Body.TrimStart().StartsWith('{') ? JsonNode.Parse(Body) : null;
}

/// <summary>
/// A local server that answers the BigQuery v2 and Cloud Storage JSON request shapes the adapter sends, per the
/// REST reference: jobs.insert/get (a job is RUNNING on insert and DONE when next looked at), getQueryResults and
/// tabledata.list with paging, tables.get, datasets.insert, objects list (paged), media download and upload. It runs
/// no SQL: DDL registers the table it names, a load job appends the CSV rows of its source objects, and a SELECT
/// answers what <see cref="Answer"/> returns (no rows by default). Errors can be injected per request or per job.
/// Every request is kept, in order, for the test to inspect.
/// </summary>
public sealed partial class GoogleApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<GoogleApiRequest> _requests = new();
    private readonly ConcurrentDictionary<string, JsonObject> _jobs = new();
    private readonly ConcurrentDictionary<string, int> _jobLooks = new();
    private readonly ConcurrentDictionary<string, (JsonArray Fields, List<string?[]> Rows)> _results = new();
    private readonly Queue<(int Status, string Reason)> _failures = new();

    public GoogleApiServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Map("/{**path}", HandleAsync);
        _app.StartAsync().GetAwaiter().GetResult();
        Url = new Uri(_app.Urls.First() + "/");
    }

    public Uri Url { get; }

    public IReadOnlyList<GoogleApiRequest> Requests => _requests.ToList();

    /// <summary>Tables by <c>dataset.table</c>: their schema and rows (CSV lines as loaded).</summary>
    public ConcurrentDictionary<string, (JsonArray Fields, List<string?[]> Rows, string Type)> Tables { get; } = new();

    public ConcurrentDictionary<string, byte[]> Objects { get; } = new();

    /// <summary>When each object (by <c>bucket/name</c>) was last written, as objects.list reports it.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Updated { get; } = new();

    public HashSet<string> Datasets { get; } = [];

    /// <summary>Whether jobs.insert answers DONE at once (as BigQuery does for fast jobs) instead of RUNNING.</summary>
    public bool JobsFinishOnInsert { get; init; }

    /// <summary>How many objects or rows one page holds, so paging is exercised.</summary>
    public int PageSize { get; set; } = 2;

    /// <summary>The result of a SELECT: its fields (name, type) and rows; none by default.</summary>
    public Func<string, (JsonArray Fields, List<string?[]> Rows)?> Answer { get; set; } = _ => null;

    /// <summary>A job whose query matches fails DONE with this reason and message.</summary>
    public Func<string, (string Reason, string Message)?> FailJob { get; set; } = _ => null;

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> with Google's error body.</summary>
    public void FailNext(int count, int status, string reason)
    {
        lock (_failures)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Enqueue((status, reason));
            }
        }
    }

    /// <summary>The SQL of every query job, in the order inserted.</summary>
    public IReadOnlyList<string> Queries => Requests
        .Where(r => r.Method == "POST" && r.PathAndQuery.Contains("/jobs", StringComparison.Ordinal) && r.Json?["configuration"]?["query"] is not null)
        .Select(r => r.Json!["configuration"]!["query"]!["query"]!.GetValue<string>())
        .ToList();

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var record = new GoogleApiRequest(request.Method, request.Path + request.QueryString, request.Headers.Authorization.FirstOrDefault(), body);
        _requests.Enqueue(record);
        (int Status, string Reason) failure;
        bool failing;
        lock (_failures)
        {
            failing = _failures.TryDequeue(out failure);
        }

        if (failing)
        {
            await WriteErrorAsync(context, failure.Status, failure.Reason, $"injected {failure.Reason}");
            return;
        }

        var path = request.Path.Value!;
        var result = path switch
        {
            _ when path.StartsWith("/bigquery/v2/", StringComparison.Ordinal) => BigQuery(context, path["/bigquery/v2".Length..], record),
            _ when path.StartsWith("/upload/storage/v1/b/", StringComparison.Ordinal) => Upload(context, path, body),
            _ when path.StartsWith("/storage/v1/b/", StringComparison.Ordinal) => Storage(context, path),
            _ => (404, Error(404, "notFound", $"no route {path}")),
        };
        if (result.Body is byte[] bytes)
        {
            context.Response.StatusCode = result.Status;
            await context.Response.Body.WriteAsync(bytes);
            return;
        }

        context.Response.StatusCode = result.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(((JsonNode)result.Body!).ToJsonString());
    }

    private (int Status, object? Body) BigQuery(HttpContext context, string path, GoogleApiRequest record)
    {
        var query = context.Request.Query;
        Match m;
        if (context.Request.Method == "POST" && (m = JobsPath().Match(path)).Success)
        {
            var job = (JsonObject)record.Json!;
            var id = job["jobReference"]!["jobId"]!.GetValue<string>();
            job["status"] = new JsonObject { ["state"] = "RUNNING" };
            if (job["configuration"]!["dryRun"]?.GetValue<bool>() == true)
            {
                var sql = job["configuration"]!["query"]!["query"]!.GetValue<string>();
                job["status"] = new JsonObject { ["state"] = "DONE" };
                job["statistics"] = new JsonObject { ["totalBytesProcessed"] = (sql.Length * 1000L).ToString(), ["query"] = new JsonObject { ["totalBytesProcessed"] = (sql.Length * 1000L).ToString() } };
                return (200, job);
            }

            _jobs[id] = job;
            if (JobsFinishOnInsert)
            {
                Complete(id, job);
            }

            return (200, job.DeepClone());
        }

        if ((m = JobPath().Match(path)).Success)
        {
            if (!_jobs.TryGetValue(m.Groups["id"].Value, out var job))
            {
                return (404, Error(404, "notFound", "Not found: Job " + m.Groups["id"].Value));
            }

            // RUNNING at the first look, DONE (and executed) at the second.
            if (_jobLooks.AddOrUpdate(m.Groups["id"].Value, 1, (_, n) => n + 1) >= 1 && job["status"]!["state"]!.GetValue<string>() != "DONE")
            {
                Complete(m.Groups["id"].Value, job);
            }

            return (200, job.DeepClone());
        }

        if ((m = QueriesPath().Match(path)).Success)
        {
            var id = m.Groups["id"].Value;
            if (!_results.TryGetValue(id, out var result))
            {
                return (404, Error(404, "notFound", "Not found: Job " + id));
            }

            return (200, Page(result.Rows, query, new JsonObject
            {
                ["kind"] = "bigquery#getQueryResultsResponse",
                ["jobComplete"] = true,
                ["schema"] = new JsonObject { ["fields"] = result.Fields.DeepClone() },
                ["totalRows"] = result.Rows.Count.ToString(),
            }));
        }

        if ((m = TableDataPath().Match(path)).Success)
        {
            return Tables.TryGetValue($"{m.Groups["ds"].Value}.{m.Groups["t"].Value}", out var table)
                ? (200, Page(table.Rows, query, new JsonObject { ["kind"] = "bigquery#tableDataList", ["totalRows"] = table.Rows.Count.ToString() }))
                : (404, Error(404, "notFound", $"Not found: Table {m.Groups["ds"].Value}.{m.Groups["t"].Value}"));
        }

        if ((m = TablePath().Match(path)).Success)
        {
            return Tables.TryGetValue($"{m.Groups["ds"].Value}.{m.Groups["t"].Value}", out var table)
                ? (200, new JsonObject
                {
                    ["type"] = table.Type,
                    ["numRows"] = table.Rows.Count.ToString(),
                    ["schema"] = new JsonObject { ["fields"] = table.Fields.DeepClone() },
                })
                : (404, Error(404, "notFound", $"Not found: Table {m.Groups["ds"].Value}.{m.Groups["t"].Value}"));
        }

        if (context.Request.Method == "POST" && DatasetsPath().IsMatch(path))
        {
            var id = record.Json!["datasetReference"]!["datasetId"]!.GetValue<string>();
            lock (Datasets)
            {
                return Datasets.Add(id) ? (200, record.Json!) : (409, Error(409, "duplicate", "Already Exists: Dataset " + id));
            }
        }

        return (404, Error(404, "notFound", "no route " + path));
    }

    /// <summary>Runs a job in the server's terms: DDL registers tables, loads append (or replace) CSV rows, SELECTs are answered.</summary>
    private void Complete(string id, JsonObject job)
    {
        var configuration = job["configuration"]!;
        job["status"] = new JsonObject { ["state"] = "DONE" };
        if (configuration["load"] is JsonObject load)
        {
            var destination = load["destinationTable"]!;
            var key = $"{destination["datasetId"]}.{destination["tableId"]}";
            var rows = new List<string?[]>();
            foreach (var uri in load["sourceUris"]!.AsArray().Select(u => u!.GetValue<string>()))
            {
                var text = Encoding.UTF8.GetString(Objects[uri["gs://".Length..]]);
                rows.AddRange(Csv(text).Skip(load["skipLeadingRows"]?.GetValue<int>() ?? 0));
            }

            // WRITE_TRUNCATE replaces the table's rows, as BigQuery does; anything else appends.
            var replace = load["writeDisposition"]?.GetValue<string>() == "WRITE_TRUNCATE";
            Tables.AddOrUpdate(key, _ => ((JsonArray)load["schema"]!["fields"]!.DeepClone(), rows, "TABLE"),
                (_, existing) =>
                {
                    if (replace)
                    {
                        existing.Rows.Clear();
                    }

                    existing.Rows.AddRange(rows);
                    return existing;
                });
            return;
        }

        var sql = configuration["query"]!["query"]!.GetValue<string>();
        if (FailJob(sql) is { } failure)
        {
            job["status"]!["errorResult"] = new JsonObject { ["reason"] = failure.Reason, ["message"] = failure.Message };
            return;
        }

        var ddl = DdlTarget().Match(sql);
        if (ddl.Success)
        {
            var name = ddl.Groups["name"].Value;
            var dataset = name.Split('.')[^2];
            var table = name.Split('.')[^1];
            var type = ddl.Groups["kind"].Value.Equals("VIEW", StringComparison.OrdinalIgnoreCase) ? "VIEW" : "TABLE";
            if (ddl.Groups["ifnot"].Success && Tables.ContainsKey($"{dataset}.{table}"))
            {
                return;
            }

            // The server does not work out a query's columns: a table it knows keeps the columns it was given (a test
            // registers the ones its query makes), a new one gets a single STRING column.
            var fields = Tables.TryGetValue($"{dataset}.{table}", out var known) ? (JsonArray)known.Fields.DeepClone()
                : new JsonArray(new JsonObject { ["name"] = "value", ["type"] = "STRING" });
            Tables[$"{dataset}.{table}"] = (fields, [], type);
            return;
        }

        _results[id] = Answer(sql) ?? (new JsonArray(new JsonObject { ["name"] = "failing_rows__", ["type"] = "INTEGER" }), []);
        job["statistics"] = new JsonObject { ["query"] = new JsonObject { ["totalBytesProcessed"] = "0" } };
    }

    private JsonObject Page(List<string?[]> rows, IQueryCollection query, JsonObject response)
    {
        var start = int.TryParse(query["pageToken"], out var token) ? token : 0;
        var size = Math.Min(PageSize, int.TryParse(query["maxResults"], out var max) ? max : int.MaxValue);
        response["rows"] = new JsonArray(rows.Skip(start).Take(size)
            .Select(r => (JsonNode)new JsonObject { ["f"] = new JsonArray(r.Select(v => (JsonNode)new JsonObject { ["v"] = v }).ToArray()) }).ToArray());
        if (start + size < rows.Count)
        {
            response["pageToken"] = (start + size).ToString();
        }

        return response;
    }

    private (int Status, object? Body) Storage(HttpContext context, string path)
    {
        var m = ObjectsPath().Match(path);
        if (!m.Success)
        {
            return (404, Error(404, "notFound", "no route " + path));
        }

        var bucket = m.Groups["b"].Value;
        if (m.Groups["o"].Success)
        {
            var name = Uri.UnescapeDataString(m.Groups["o"].Value);
            return Objects.TryGetValue($"{bucket}/{name}", out var bytes) && context.Request.Query["alt"] == "media"
                ? (200, bytes)
                : (404, Error(404, "notFound", $"No such object: {bucket}/{name}"));
        }

        var prefix = context.Request.Query["prefix"].ToString();
        var start = int.TryParse(context.Request.Query["pageToken"], out var token) ? token : 0;
        var names = Objects.Keys.Where(k => k.StartsWith(bucket + "/" + prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var page = new JsonObject
        {
            ["kind"] = "storage#objects",
            ["items"] = new JsonArray(names.Skip(start).Take(PageSize).Select(k => (JsonNode)new JsonObject
            {
                ["name"] = k[(bucket.Length + 1)..],
                ["size"] = Objects[k].Length.ToString(),
                ["updated"] = Updated.GetValueOrDefault(k, DateTimeOffset.UnixEpoch).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            }).ToArray()),
        };
        if (start + PageSize < names.Count)
        {
            page["nextPageToken"] = (start + PageSize).ToString();
        }

        return (200, page);
    }

    private (int Status, object? Body) Upload(HttpContext context, string path, string body)
    {
        var bucket = path.Split('/')[5];
        var name = context.Request.Query["name"].ToString();
        if (context.Request.Query["uploadType"] != "media" || name.Length == 0)
        {
            return (400, Error(400, "invalid", "uploadType=media and name are required"));
        }

        Objects[$"{bucket}/{name}"] = Encoding.UTF8.GetBytes(body);
        Updated[$"{bucket}/{name}"] = DateTimeOffset.UtcNow;
        return (200, new JsonObject { ["bucket"] = bucket, ["name"] = name, ["size"] = body.Length.ToString() });
    }

    private static JsonObject Error(int code, string reason, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["errors"] = new JsonArray(new JsonObject { ["reason"] = reason, ["message"] = message, ["domain"] = "global" }),
        },
    };

    private static Task WriteErrorAsync(HttpContext context, int status, string reason, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(Error(status, reason, message).ToJsonString());
    }

    /// <summary>RFC 4180 records (quoted fields may hold commas, quotes and newlines); an empty unquoted field is null.</summary>
    public static IEnumerable<string?[]> Csv(string text)
    {
        var fields = new List<string?>();
        var field = new StringBuilder();
        var quoted = false;
        var wasQuoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') { quoted = false; }
                else { field.Append(c); }
            }
            else if (c == '"') { quoted = true; wasQuoted = true; }
            else if (c == ',') { fields.Add(field.Length == 0 && !wasQuoted ? null : field.ToString()); field.Clear(); wasQuoted = false; }
            else if (c == '\n')
            {
                fields.Add(field.Length == 0 && !wasQuoted ? null : field.ToString());
                yield return fields.ToArray();
                fields.Clear(); field.Clear(); wasQuoted = false;
            }
            else { field.Append(c); }
        }
    }

    [GeneratedRegex(@"^/projects/[^/]+/jobs$")]
    private static partial Regex JobsPath();

    [GeneratedRegex(@"^/projects/[^/]+/jobs/(?<id>[^/?]+)$")]
    private static partial Regex JobPath();

    [GeneratedRegex(@"^/projects/[^/]+/queries/(?<id>[^/?]+)$")]
    private static partial Regex QueriesPath();

    [GeneratedRegex(@"^/projects/[^/]+/datasets/(?<ds>[^/]+)/tables/(?<t>[^/]+)/data$")]
    private static partial Regex TableDataPath();

    [GeneratedRegex(@"^/projects/[^/]+/datasets/(?<ds>[^/]+)/tables/(?<t>[^/]+)$")]
    private static partial Regex TablePath();

    [GeneratedRegex(@"^/projects/[^/]+/datasets$")]
    private static partial Regex DatasetsPath();

    [GeneratedRegex(@"^/storage/v1/b/(?<b>[^/]+)/o(/(?<o>[^?]+))?$")]
    private static partial Regex ObjectsPath();

    [GeneratedRegex(@"^\s*CREATE\s+(OR\s+REPLACE\s+)?(?<kind>TABLE|VIEW)\s+(?<ifnot>IF\s+NOT\s+EXISTS\s+)?`(?<name>[^`]+)`", RegexOptions.IgnoreCase)]
    private static partial Regex DdlTarget();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
