using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Analytics.Superset;

/// <summary>A publish that Superset refused; the message says what to fix and never holds a credential.</summary>
public sealed class SupersetPublishException(string message) : Exception(message);

/// <summary>
/// Imports a bundle through Superset's REST API as its own UI does: log in (<c>/api/v1/security/login</c>), get a
/// CSRF token with the session cookie it belongs to, <c>POST /api/v1/dashboard/import/</c> as multipart with
/// <c>formData</c>, <c>overwrite=true</c> and <c>passwords</c>, then confirm the dashboard exists. Importing the
/// same bundle again overwrites the same objects (stable UUIDs), so publishing twice changes nothing.
/// </summary>
public sealed class SupersetPublisher(Uri baseUrl, HttpMessageHandler? handler = null)
{
    public async Task<Uri> PublishAsync(Stream bundleZip, string username, string password, string databasePassword, CancellationToken cancellationToken)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(handler ?? new HttpClientHandler { CookieContainer = cookies, UseCookies = true }, disposeHandler: handler is null)
        {
            BaseAddress = new Uri(baseUrl.ToString().TrimEnd('/') + "/"),
        };

        using var login = await http.PostAsJsonAsync("api/v1/security/login",
            new { username, password, provider = "db", refresh = true }, cancellationToken);
        if (login.StatusCode == HttpStatusCode.Unauthorized)
        {
            throw new SupersetPublishException(
                $"Superset at {baseUrl} refused the login (401): check SUPERSET_USERNAME and SUPERSET_PASSWORD (the admin the AppHost creates, or yours).");
        }

        await EnsureAsync(login, "logging in", cancellationToken);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("access_token").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var csrf = await http.GetAsync("api/v1/security/csrf_token/", cancellationToken);
        await EnsureAsync(csrf, "getting a CSRF token", cancellationToken);
        var csrfToken = (await csrf.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("result").GetString();

        using var form = new MultipartFormDataContent();
        var file = new StreamContent(bundleZip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        form.Add(file, "formData", "analytics_growth.zip");
        form.Add(new StringContent("true"), "overwrite");
        form.Add(new StringContent(JsonSerializer.Serialize(new Dictionary<string, string>
        {
            [$"databases/{BundleBuilder.DatabaseName}.yaml"] = databasePassword,
        })), "passwords");
        using var import = new HttpRequestMessage(HttpMethod.Post, "api/v1/dashboard/import/") { Content = form };
        import.Headers.Add("X-CSRFToken", csrfToken);
        import.Headers.Referrer = http.BaseAddress;
        using var imported = await http.SendAsync(import, cancellationToken);
        if (imported.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            throw new SupersetPublishException($"Superset refused the bundle (422): {await ErrorsAsync(imported, cancellationToken)}. "
                                               + "Run 'analytics superset bundle' again and check it imports with the validator's rules.");
        }

        if (imported.StatusCode == HttpStatusCode.BadRequest && (await imported.Content.ReadAsStringAsync(cancellationToken)).Contains("CSRF", StringComparison.OrdinalIgnoreCase))
        {
            throw new SupersetPublishException(
                $"Superset refused the import for its CSRF check (400): the session cookie that goes with the token was not kept. Is {baseUrl} the address Superset itself serves, with no proxy dropping cookies?");
        }

        await EnsureAsync(imported, "importing the bundle", cancellationToken);
        using var check = await http.GetAsync("api/v1/dashboard/growth", cancellationToken);
        await EnsureAsync(check, "confirming the Growth dashboard exists", cancellationToken);
        return new Uri(http.BaseAddress, "superset/dashboard/growth/");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string step, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new SupersetPublishException($"Superset answered {(int)response.StatusCode} {response.ReasonPhrase} while {step}: {await ErrorsAsync(response, cancellationToken)}");
        }
    }

    /// <summary>The messages of Superset's error body (<c>{"errors": [{"message": ...}]}</c> or <c>{"message": ...}</c>), clipped.</summary>
    private static async Task<string> ErrorsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var body = JsonDocument.Parse(text).RootElement;
            if (body.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                text = string.Join("; ", errors.EnumerateArray().Select(e => e.TryGetProperty("message", out var m) ? m.ToString() : e.ToString()));
            }
            else if (body.TryGetProperty("message", out var message))
            {
                text = message.ToString();
            }
        }
        catch (JsonException)
        {
            // not JSON: the text as it came
        }

        return text.Length <= 500 ? text : text[..500] + "...";
    }
}
