using System.Globalization;
using System.Text.Json.Nodes;

namespace Analytics.Warehouse.BigQuery;

/// <summary>A column of a BigQuery schema (<c>TableFieldSchema</c>).</summary>
public sealed record BigQueryField(string Name, string Type, string Mode = "NULLABLE")
{
    public JsonObject ToJson() => new() { ["name"] = Name, ["type"] = Type, ["mode"] = Mode };

    public static BigQueryField FromJson(JsonNode field) => new(
        field["name"]!.GetValue<string>(), field["type"]?.GetValue<string>() ?? "STRING", field["mode"]?.GetValue<string>() ?? "NULLABLE");
}

/// <summary>What a query returned: its columns, up to the rows asked for (values as BigQuery's JSON strings), and how many rows in all.</summary>
public sealed record BigQueryResult(IReadOnlyList<BigQueryField> Fields, IReadOnlyList<string?[]> Rows, long TotalRows);

/// <summary>
/// The BigQuery v2 REST calls the warehouse uses, shaped as the reference gives them: <c>jobs.insert</c> (query and
/// load jobs, every query with <c>maximumBytesBilled</c>), <c>jobs.get</c> polled with backoff and jitter,
/// <c>jobs.getQueryResults</c> and <c>tabledata.list</c> followed page by page, <c>tables.get</c> and
/// <c>datasets.insert</c>. A job that fails with <c>backendError</c> or <c>rateLimitExceeded</c> runs again under a
/// new id.
/// </summary>
public sealed class BigQueryClient(GoogleRestTransport transport, BigQuerySettings settings)
{
    /// <summary>How long between two looks at a running job: doubling from 200 ms to 5 s, with jitter.</summary>
    public RetryPolicy Polling { get; init; } = new(int.MaxValue, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));

    public BigQuerySettings Settings => settings;

    private string Project => settings.RequireProject();

    private Uri Url(string path) => new(settings.BigQueryBase, $"projects/{Uri.EscapeDataString(Project)}/{path}");

    /// <summary>Runs a GoogleSQL statement and returns up to <paramref name="maxRows"/> rows of its result.</summary>
    public async Task<BigQueryResult> QueryAsync(string sql, int maxRows, string what, CancellationToken cancellationToken)
    {
        var job = await RunJobAsync(QueryConfiguration(sql, dryRun: false), what, cancellationToken);
        var jobId = job["jobReference"]!["jobId"]!.GetValue<string>();
        var fields = new List<BigQueryField>();
        var rows = new List<string?[]>();
        long total = 0;
        string? pageToken = null;
        for (var poll = 1; ; poll++)
        {
            var query = $"queries/{Uri.EscapeDataString(jobId)}?location={Uri.EscapeDataString(settings.Location)}"
                        + $"&maxResults={Math.Clamp(maxRows - rows.Count, 1, 10_000)}&formatOptions.useInt64Timestamp=true"
                        + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            var page = await transport.SendJsonAsync(HttpMethod.Get, Url(query), null, what, cancellationToken);
            if (page?["jobComplete"]?.GetValue<bool>() == false)
            {
                // The job is DONE, but the results can lag behind it for a moment.
                await Task.Delay(Polling.Delay(poll), cancellationToken);
                continue;
            }

            if (fields.Count == 0 && page?["schema"]?["fields"] is JsonArray schema)
            {
                fields.AddRange(schema.Select(f => BigQueryField.FromJson(f!)));
            }

            total = ReadLong(page?["totalRows"]);
            rows.AddRange(ReadRows(page?["rows"]));
            pageToken = page?["pageToken"]?.GetValue<string>();
            if (pageToken is null || rows.Count >= maxRows)
            {
                break;
            }
        }

        return new BigQueryResult(fields, rows, total);
    }

    /// <summary>Runs a statement (DDL or DML) for its effect.</summary>
    public async Task<JsonNode> ExecuteAsync(string sql, string what, CancellationToken cancellationToken) =>
        await RunJobAsync(QueryConfiguration(sql, dryRun: false), what, cancellationToken);

    /// <summary>Dry-runs <paramref name="sql"/>: BigQuery checks it and says how many bytes it would scan; nothing runs or bills.</summary>
    public async Task<long> DryRunAsync(string sql, string what, CancellationToken cancellationToken)
    {
        var job = await transport.SendJsonAsync(HttpMethod.Post, Url("jobs"), NewJob(QueryConfiguration(sql, dryRun: true)), what, cancellationToken);
        return BytesProcessed(job!);
    }

    /// <summary>Loads CSV objects into a table with the given schema, appending, and waits for the job.</summary>
    /// <summary>A load job of CSV files into a table (appended to, or replaced when <paramref name="replace"/>), with the given schema.</summary>
    public async Task<JsonNode> LoadCsvAsync(IReadOnlyList<string> sourceUris, string dataset, string table, IReadOnlyList<BigQueryField> schema,
        string what, CancellationToken cancellationToken, bool replace = false)
    {
        var load = new JsonObject
        {
            ["load"] = new JsonObject
            {
                ["sourceUris"] = new JsonArray(sourceUris.Select(u => (JsonNode)JsonValue.Create(u)!).ToArray()),
                ["destinationTable"] = TableReference(dataset, table),
                ["schema"] = new JsonObject { ["fields"] = new JsonArray(schema.Select(f => (JsonNode)f.ToJson()).ToArray()) },
                ["sourceFormat"] = "CSV",
                ["skipLeadingRows"] = 1,
                ["allowQuotedNewlines"] = true,
                ["encoding"] = "UTF-8",
                ["writeDisposition"] = replace ? "WRITE_TRUNCATE" : "WRITE_APPEND",
                ["createDisposition"] = "CREATE_IF_NEEDED",
            },
        };
        return await RunJobAsync(load, what, cancellationToken);
    }

    /// <summary><c>tables.get</c>: the table's schema, row count and type, or null when it does not exist.</summary>
    public Task<JsonNode?> GetTableAsync(string dataset, string table, CancellationToken cancellationToken) =>
        transport.SendJsonAsync(HttpMethod.Get, Url($"datasets/{Uri.EscapeDataString(dataset)}/tables/{Uri.EscapeDataString(table)}"),
            null, $"reading table {dataset}.{table}", cancellationToken, notFoundIsNull: true);

    /// <summary><c>tables.patch</c>: changes what <paramref name="body"/> names of the table (its schema, for policy tags).</summary>
    public Task<JsonNode?> PatchTableAsync(string dataset, string table, JsonObject body, CancellationToken cancellationToken) =>
        transport.SendJsonAsync(HttpMethod.Patch, Url($"datasets/{Uri.EscapeDataString(dataset)}/tables/{Uri.EscapeDataString(table)}"),
            body, $"tagging the classified columns of {dataset}.{table}", cancellationToken);

    /// <summary><c>tabledata.list</c>: up to <paramref name="maxRows"/> rows of a table, page by page.</summary>
    public async Task<IReadOnlyList<string?[]>> ListRowsAsync(string dataset, string table, int maxRows, CancellationToken cancellationToken)
    {
        var rows = new List<string?[]>();
        string? pageToken = null;
        do
        {
            var path = $"datasets/{Uri.EscapeDataString(dataset)}/tables/{Uri.EscapeDataString(table)}/data?maxResults={Math.Clamp(maxRows - rows.Count, 1, 10_000)}&formatOptions.useInt64Timestamp=true"
                       + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken));
            var page = await transport.SendJsonAsync(HttpMethod.Get, Url(path), null, $"reading rows of {dataset}.{table}", cancellationToken);
            rows.AddRange(ReadRows(page?["rows"]));
            pageToken = page?["pageToken"]?.GetValue<string>();
        }
        while (pageToken is not null && rows.Count < maxRows);

        return rows.Count > maxRows ? rows[..maxRows] : rows;
    }

    /// <summary><c>datasets.insert</c> in the configured location; one that exists already is left as it is.</summary>
    public async Task EnsureDatasetAsync(string dataset, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["datasetReference"] = new JsonObject { ["projectId"] = Project, ["datasetId"] = dataset },
            ["location"] = settings.Location,
        };
        await transport.SendJsonAsync(HttpMethod.Post, Url("datasets"), body, $"creating dataset {dataset}", cancellationToken, conflictIsNull: true);
    }

    private JsonObject QueryConfiguration(string sql, bool dryRun) => new()
    {
        ["query"] = new JsonObject
        {
            ["query"] = sql,
            ["useLegacySql"] = false,
            // int64 travels as a string in Google's JSON.
            ["maximumBytesBilled"] = settings.MaximumBytesBilled.ToString(CultureInfo.InvariantCulture),
        },
        ["dryRun"] = dryRun,
        ["labels"] = new JsonObject { ["tool"] = "analytics" },
    };

    private JsonObject NewJob(JsonObject configuration) => new()
    {
        ["jobReference"] = new JsonObject
        {
            ["projectId"] = Project,
            ["jobId"] = "analytics_" + Guid.NewGuid().ToString("N"),
            ["location"] = settings.Location,
        },
        ["configuration"] = configuration,
    };

    /// <summary>Inserts the job and polls it until DONE; a transient job failure runs it again under a new id.</summary>
    private async Task<JsonNode> RunJobAsync(JsonObject configuration, string what, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var job = (await transport.SendJsonAsync(HttpMethod.Post, Url("jobs"), NewJob((JsonObject)configuration.DeepClone()), what, cancellationToken))!;
            var jobId = job["jobReference"]?["jobId"]?.GetValue<string>()
                        ?? throw new BigQueryException($"{what}: BigQuery answered jobs.insert without a jobReference.");
            for (var poll = 1; job["status"]?["state"]?.GetValue<string>() != "DONE"; poll++)
            {
                await Task.Delay(Polling.Delay(poll), cancellationToken);
                job = (await transport.SendJsonAsync(HttpMethod.Get,
                    Url($"jobs/{Uri.EscapeDataString(jobId)}?location={Uri.EscapeDataString(settings.Location)}"), null, what, cancellationToken))!;
            }

            if (job["status"]?["errorResult"] is not JsonObject error)
            {
                return job;
            }

            var reason = error["reason"]?.GetValue<string>();
            var message = error["message"]?.GetValue<string>() ?? "the job failed";
            if (reason is "backendError" or "rateLimitExceeded" or "internalError" && attempt < transport.Retry.MaxAttempts)
            {
                await Task.Delay(transport.Retry.Delay(attempt), cancellationToken);
                continue;
            }

            throw GoogleRestTransport.Describe(what, null, reason, message, reason is "backendError" or "rateLimitExceeded" ? attempt : 0);
        }
    }

    private JsonObject TableReference(string dataset, string table) =>
        new() { ["projectId"] = Project, ["datasetId"] = dataset, ["tableId"] = table };

    private static long BytesProcessed(JsonNode job) =>
        ReadLong(job["statistics"]?["query"]?["totalBytesProcessed"] ?? job["statistics"]?["totalBytesProcessed"]);

    private static long ReadLong(JsonNode? node) => node switch
    {
        null => 0,
        JsonValue v when v.TryGetValue<string>(out var s) => long.TryParse(s, CultureInfo.InvariantCulture, out var n) ? n : 0,
        JsonValue v when v.TryGetValue<long>(out var n) => n,
        _ => 0,
    };

    /// <summary>Rows as <c>{"f": [{"v": ...}]}</c>; scalar values arrive as strings (or null).</summary>
    private static IEnumerable<string?[]> ReadRows(JsonNode? rows) => rows is JsonArray array
        ? array.Select(r => (r?["f"] as JsonArray ?? []).Select(c => c?["v"] switch
        {
            null => null,
            JsonValue v when v.TryGetValue<string>(out var s) => s,
            var other => other.ToJsonString(),
        }).ToArray())
        : [];
}
