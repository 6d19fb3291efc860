using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace Analytics.Warehouse.BigQuery;

/// <summary>How often and how long a call is retried.</summary>
public sealed record RetryPolicy(int MaxAttempts = 6, TimeSpan? FirstDelay = null, TimeSpan? MaxDelay = null)
{
    public TimeSpan First => FirstDelay ?? TimeSpan.FromSeconds(1);

    public TimeSpan Max => MaxDelay ?? TimeSpan.FromSeconds(32);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1: doubling from <see cref="First"/>, capped, ±20 % jitter.</summary>
    public TimeSpan Delay(int attempt)
    {
        var ms = Math.Min(First.TotalMilliseconds * Math.Pow(2, attempt - 1), Max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }
}

/// <summary>
/// The HTTP layer under the BigQuery client (Cloud Storage has Google's own, see <see cref="GcsClient"/>): Google.Apis' <see cref="ConfigurableHttpClient"/>
/// with Application Default Credentials as its initializer (it adds the bearer token and refreshes it on a 401), or
/// a plain client without credentials when an emulator is in use. Every call is retried on 5xx and 429 and on
/// Google's <c>backendError</c>, <c>rateLimitExceeded</c> and <c>internalError</c> reasons, with backoff and jitter;
/// what still fails becomes a <see cref="BigQueryException"/> that says what to do.
/// </summary>
public sealed partial class GoogleRestTransport : IDisposable
{
    public static readonly string[] Scopes =
    [
        "https://www.googleapis.com/auth/bigquery",
        "https://www.googleapis.com/auth/devstorage.read_write",
    ];

    private static readonly HashSet<string> RetriedReasons = ["backendError", "rateLimitExceeded", "internalError"];

    private readonly Func<CancellationToken, Task<IConfigurableHttpClientInitializer?>> _credential;
    private readonly SemaphoreSlim _making = new(1, 1);
    private HttpClient? _http;

    public GoogleRestTransport(IConfigurableHttpClientInitializer? credential, RetryPolicy? retry = null)
        : this(_ => Task.FromResult(credential), retry)
    {
    }

    private GoogleRestTransport(Func<CancellationToken, Task<IConfigurableHttpClientInitializer?>> credential, RetryPolicy? retry)
    {
        Retry = retry ?? new RetryPolicy();
        _credential = credential;
    }

    /// <summary>
    /// The transport for an emulator (no credentials) or, when <paramref name="emulator"/> is false, for Application
    /// Default Credentials (<c>GOOGLE_APPLICATION_CREDENTIALS</c> or the metadata server), looked up on the first call, so
    /// making it neither blocks nor fails; a missing credential is that call's error.
    /// </summary>
    public static GoogleRestTransport Create(bool emulator, RetryPolicy? retry = null) => emulator
        ? new GoogleRestTransport((IConfigurableHttpClientInitializer?)null, retry)
        : new GoogleRestTransport(async token => await ApplicationDefaultAsync(token), retry);

    /// <summary>The HTTP client, made on the first call with its credential.</summary>
    private async ValueTask<HttpClient> HttpAsync(CancellationToken cancellationToken)
    {
        if (_http is { } made)
        {
            return made;
        }

        await _making.WaitAsync(cancellationToken);
        try
        {
            if (_http is null)
            {
                var args = new CreateHttpClientArgs { ApplicationName = "analytics", GZipEnabled = true };
                if (await _credential(cancellationToken) is { } credential)
                {
                    args.Initializers.Add(credential);
                }

                var client = new HttpClientFactory().CreateHttpClient(args);
                // Our own retry loop below decides what is retried; Google's handler only refreshes the token on a 401.
                client.MessageHandler.NumTries = 1;
                client.Timeout = TimeSpan.FromMinutes(10);
                _http = client;
            }

            return _http;
        }
        finally
        {
            _making.Release();
        }
    }

    public RetryPolicy Retry { get; }

    /// <summary>Application Default Credentials, scoped for BigQuery and Cloud Storage; none found is an error that says where to put them.</summary>
    private static async Task<IConfigurableHttpClientInitializer?> ApplicationDefaultAsync(CancellationToken cancellationToken)
    {
        try
        {
            var credential = await GoogleCredential.GetApplicationDefaultAsync(cancellationToken);
            return credential.CreateScoped(Scopes);
        }
        catch (InvalidOperationException e)
        {
            throw new BigQueryException(
                "no Google credentials were found: set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run where the "
                + "metadata server provides them, or point BIGQUERY_EMULATOR_HOST and STORAGE_EMULATOR_HOST at emulators. (" + e.Message + ")",
                inner: e);
        }
    }

    /// <summary>Sends a JSON request (or none) and returns the parsed JSON response; null for a 404 when <paramref name="notFoundIsNull"/>.</summary>
    public async Task<JsonNode?> SendJsonAsync(HttpMethod method, Uri uri, JsonNode? body, string what, CancellationToken cancellationToken,
        bool notFoundIsNull = false, bool conflictIsNull = false)
    {
        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(method, uri);
            if (body is not null)
            {
                request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
            }

            return request;
        }, what, cancellationToken, notFoundIsNull, conflictIsNull);
        if (response is null)
        {
            return null;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return text.Length == 0 ? new JsonObject() : JsonNode.Parse(text);
    }

    /// <summary>
    /// Sends the request <paramref name="create"/> builds (again for each attempt) and returns the successful response,
    /// which the caller disposes; null for a 404 or 409 when asked.
    /// </summary>
    public async Task<HttpResponseMessage?> SendAsync(Func<HttpRequestMessage> create, string what, CancellationToken cancellationToken,
        bool notFoundIsNull = false, bool conflictIsNull = false, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 1; ; attempt++)
        {
            HttpResponseMessage response;
            var http = await HttpAsync(cancellationToken);
            using (var request = create())
            {
                try
                {
                    response = await http.SendAsync(request, completion, cancellationToken);
                }
                catch (HttpRequestException) when (attempt < Retry.MaxAttempts)
                {
                    await Task.Delay(Retry.Delay(attempt), cancellationToken);
                    continue;
                }
                catch (HttpRequestException e)
                {
                    throw new BigQueryException($"{what}: could not reach {request.RequestUri?.GetLeftPart(UriPartial.Authority)} ({e.Message}); check the network or the emulator address.", inner: e);
                }
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if ((notFoundIsNull && status == 404) || (conflictIsNull && status == 409))
                {
                    return null;
                }

                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                var (reason, message) = ParseError(body);
                var retried = status >= 500 || status == 429 || (reason is not null && RetriedReasons.Contains(reason));
                if (retried && attempt < Retry.MaxAttempts)
                {
                    await Task.Delay(RetryAfter(response) ?? Retry.Delay(attempt), cancellationToken);
                    continue;
                }

                throw Describe(what, status, reason, message ?? body, retried ? attempt : 0);
            }
        }
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter?.Delta is { } delta && delta < TimeSpan.FromMinutes(2) ? delta : null;

    /// <summary>Google's error body: <c>{"error": {"code", "message", "errors": [{"reason", "message"}], "status"}}</c>.</summary>
    public static (string? Reason, string? Message) ParseError(string body)
    {
        try
        {
            var error = JsonNode.Parse(body)?["error"];
            if (error is JsonObject)
            {
                var reason = error["errors"]?[0]?["reason"]?.GetValue<string>();
                return (reason, error["message"]?.GetValue<string>());
            }
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
        }

        return (null, body.Length > 500 ? body[..500] : body);
    }

    /// <summary>The error a person can act on, for a failed call or a failed job.</summary>
    public static BigQueryException Describe(string what, int? status, string? reason, string message, int attempts = 0)
    {
        var tried = attempts > 1 ? $" (after {attempts} attempts)" : "";
        var text = (status, reason) switch
        {
            (401, _) or (_, "authError") =>
                $"{what}: the credentials were rejected{tried}: {message}. Set GOOGLE_APPLICATION_CREDENTIALS to a valid service-account key file.",
            (403, _) or (_, "accessDenied") =>
                $"{what}: access denied: {message}. " + MissingPermission(message),
            (_, "notFound") or (404, _) when message.Contains("Dataset", StringComparison.OrdinalIgnoreCase) =>
                $"{what}: {message}. Create the dataset (materialize creates raw, staging, core and marts when it may), "
                + "or set Analytics__BigQuery__DatasetPrefix (ANALYTICS_BIGQUERY_DATASET_PREFIX) to the prefix your datasets carry, and check Analytics__BigQuery__Project (ANALYTICS_BIGQUERY_PROJECT) and Analytics__BigQuery__Location (ANALYTICS_BIGQUERY_LOCATION).",
            (_, "notFound") or (404, _) when message.Contains("Table", StringComparison.OrdinalIgnoreCase) =>
                $"{what}: {message}. Materialize the asset that builds it first (or ingest, for raw_events).",
            (_, "notFound") or (404, _) =>
                $"{what}: not found: {message}. Check the project, bucket or object name.",
            (_, "bytesBilledLimitExceeded") =>
                $"{what}: {message}. The query would scan more than Analytics__BigQuery__MaxBytesBilled (ANALYTICS_BIGQUERY_MAX_BYTES_BILLED) allows; raise it if the cost is expected.",
            (_, "quotaExceeded") =>
                $"{what}: a BigQuery quota was exceeded{tried}: {message}. Wait, or ask for a higher quota.",
            (_, "invalidQuery") or (_, "invalid") =>
                $"{what}: BigQuery rejected it: {message}.",
            (_, "rateLimitExceeded") or (_, "backendError") or (_, "internalError") or ( >= 500, _) or (429, _) =>
                $"{what}: Google answered {status?.ToString() ?? reason}{tried}: {message}. It is transient on Google's side; run again later.",
            _ => $"{what}: failed ({status?.ToString() ?? reason}): {message}.",
        };
        return new BigQueryException(text, status, reason);
    }

    private static string MissingPermission(string message)
    {
        var named = PermissionPattern().Match(message);
        return named.Success
            ? $"The credentials need the permission {named.Groups["p"].Value}; grant a role that has it to the service account."
            : "The service account needs roles/bigquery.jobUser and roles/bigquery.dataEditor on the project (and roles/storage.objectAdmin on the bucket for ingest).";
    }

    [GeneratedRegex(@"(?<p>(bigquery|storage)\.[a-zA-Z]+\.[a-zA-Z]+)")]
    private static partial Regex PermissionPattern();

    public void Dispose()
    {
        _http?.Dispose();
        _making.Dispose();
    }
}
