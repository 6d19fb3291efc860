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
/// tabledata.list with paging, tables.get, datasets.insert, objects list (paged), media download, and media and resumable upload. It runs
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
    private readonly ConcurrentDictionary<string, (string Bucket, string Name, MemoryStream Bytes)> _uploads = new();

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
        using var buffer = new MemoryStream();
        // Google's clients gzip request bodies (Content-Encoding: gzip), as the real APIs accept.
        await using (var content = request.Headers.ContentEncoding.ToString() == "gzip"
                         ? new System.IO.Compression.GZipStream(request.Body, System.IO.Compression.CompressionMode.Decompress)
                         : request.Body)
        {
            await content.CopyToAsync(buffer);
        }

        var bytes = buffer.ToArray();
        var body = Encoding.UTF8.GetString(bytes);
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
            _ when path.StartsWith("/upload/storage/v1/b/", StringComparison.Ordinal) => Upload(context, path, bytes),
            _ when path.StartsWith("/storage/v1/b/", StringComparison.Ordinal) => Storage(context, path),
            _ => (404, Error(404, "notFound", $"no route {path}")),
        };
        context.Response.StatusCode = result.Status;
        if (result.Body is byte[] media)
        {
            await context.Response.Body.WriteAsync(media);
            return;
        }

        if (result.Body is null)
        {
            return;
        }

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
            if (!Objects.TryGetValue($"{bucket}/{name}", out var bytes))
            {
                return (404, Error(404, "notFound", $"No such object: {bucket}/{name}"));
            }

            if (context.Request.Query["alt"] != "media")
            {
                return (200, Describe(bucket, name));
            }

            context.Response.Headers["x-goog-hash"] = $"crc32c={Crc32C(bytes)},md5={Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(bytes))}";
            return (200, bytes);
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

    /// <summary>
    /// An upload: <c>uploadType=media</c> (the bytes, named in the query), or <c>uploadType=resumable</c>, Google's client's
    /// protocol: a POST with the object's metadata opens a session (its URI in <c>Location</c>); each PUT to it carries a
    /// chunk with <c>Content-Range: bytes first-last/total</c> (<c>*</c> for a total not known yet), answered 308 with the
    /// <c>Range</c> received so far until the last, which answers the object. A chunk that does not start where the
    /// received bytes end is refused.
    /// </summary>
    private (int Status, object? Body) Upload(HttpContext context, string path, byte[] body)
    {
        var bucket = path.Split('/')[5];
        var query = context.Request.Query;
        if (query["uploadType"] == "media")
        {
            var name = query["name"].ToString();
            return name.Length == 0 ? (400, Error(400, "invalid", "name is required")) : Store(bucket, name, body);
        }

        if (query["uploadType"] != "resumable")
        {
            return (400, Error(400, "invalid", "uploadType must be media or resumable"));
        }

        if (query["upload_id"].ToString() is not { Length: > 0 } session)
        {
            var metadata = body.Length > 0 ? JsonNode.Parse(body) : null;
            var name = metadata?["name"]?.GetValue<string>() ?? query["name"].ToString();
            if (context.Request.Method != "POST" || name.Length == 0)
            {
                return (400, Error(400, "invalid", "a resumable upload starts with a POST naming the object"));
            }

            var id = Guid.NewGuid().ToString("N");
            _uploads[id] = (bucket, name, new MemoryStream());
            context.Response.Headers.Location = $"{Url.ToString().TrimEnd('/')}{path}?uploadType=resumable&upload_id={id}";
            return (200, new JsonObject());
        }

        if (!_uploads.TryGetValue(session, out var upload))
        {
            return (404, Error(404, "notFound", "no such upload session"));
        }

        var range = ContentRange().Match(context.Request.Headers.ContentRange.ToString());
        if (context.Request.Method != "PUT" || !range.Success)
        {
            return (400, Error(400, "invalid", "a chunk is a PUT with Content-Range: bytes first-last/total"));
        }

        lock (upload.Bytes)
        {
            if (range.Groups["first"].Success)
            {
                if (long.Parse(range.Groups["first"].Value) != upload.Bytes.Length)
                {
                    return (400, Error(400, "invalid", $"the chunk starts at {range.Groups["first"].Value}, not at {upload.Bytes.Length}"));
                }

                upload.Bytes.Write(body);
            }

            if (range.Groups["total"].Value != "*" && long.Parse(range.Groups["total"].Value) == upload.Bytes.Length)
            {
                _uploads.TryRemove(session, out _);
                return Store(upload.Bucket, upload.Name, upload.Bytes.ToArray());
            }

            if (upload.Bytes.Length > 0)
            {
                context.Response.Headers["Range"] = $"bytes=0-{upload.Bytes.Length - 1}";
            }

            return (308, null);
        }
    }

    private (int Status, object? Body) Store(string bucket, string name, byte[] bytes)
    {
        Objects[$"{bucket}/{name}"] = bytes;
        Updated[$"{bucket}/{name}"] = DateTimeOffset.UtcNow;
        return (200, Describe(bucket, name));
    }

    /// <summary>An object's resource, with its size, time and hashes, as objects.get and an upload answer it.</summary>
    private JsonObject Describe(string bucket, string name)
    {
        var key = $"{bucket}/{name}";
        var bytes = Objects[key];
        return new JsonObject
        {
            ["kind"] = "storage#object",
            ["bucket"] = bucket,
            ["name"] = name,
            ["size"] = bytes.Length.ToString(),
            ["updated"] = Updated.GetValueOrDefault(key, DateTimeOffset.UnixEpoch).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'"),
            ["crc32c"] = Crc32C(bytes),
            ["md5Hash"] = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(bytes)),
        };
    }

    /// <summary>CRC32C (Castagnoli), big-endian and base64, as Cloud Storage reports it.</summary>
    public static string Crc32C(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        crc = ~crc;
        return Convert.ToBase64String([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
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

    [GeneratedRegex(@"^bytes (?:(?<first>\d+)-(?<last>\d+)|\*)/(?<total>\d+|\*)$")]
    private static partial Regex ContentRange();

    [GeneratedRegex(@"^/storage/v1/b/(?<b>[^/]+)/o(/(?<o>[^?]+))?$")]
    private static partial Regex ObjectsPath();

    [GeneratedRegex(@"^\s*CREATE\s+(OR\s+REPLACE\s+)?(?<kind>TABLE|VIEW)\s+(?<ifnot>IF\s+NOT\s+EXISTS\s+)?`(?<name>[^`]+)`", RegexOptions.IgnoreCase)]
    private static partial Regex DdlTarget();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
