using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>The OpenAPI document says what the API does: every status an endpoint answers is one it lists.</summary>
public sealed class OpenApiContractTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly ApiHost _api;

    public OpenApiContractTests(DatabaseFixture db) => _api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false);

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Every_operation_has_an_id_and_every_answer_is_a_documented_status()
    {
        var document = await _api.Client(withKey: false).GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                Assert.True(operation.Value.TryGetProperty("operationId", out _), $"{operation.Name} {path.Name} has no operationId");
            }
        }

        var queued = await _api.Client().PostAsync("/api/runs", Json("""{"selection": "stg_events"}"""));
        var runId = (await queued.JsonAsync()).GetProperty("run_id").GetString();
        var big = new string(' ', Analytics.Api.Apis.RunsApi.MaxBodyBytes + 1);
        var requests = new (string Method, string Url, string Template, HttpContent? Body, bool Key)[]
        {
            ("GET", "/api/assets", "/api/assets", null, false),
            ("GET", "/api/assets/stg_events", "/api/assets/{key}", null, false),
            ("GET", "/api/assets/nope", "/api/assets/{key}", null, false),
            ("GET", "/api/assets/nope/preview", "/api/assets/{key}/preview", null, false),
            ("GET", "/api/assets/growth_metrics/preview", "/api/assets/{key}/preview", null, false),
            ("GET", "/api/graph?select=%2Bstg_events", "/api/graph", null, false),
            ("GET", "/api/graph?select=((", "/api/graph", null, false),
            ("GET", "/api/marts/growth_metrics/rows", "/api/marts/{key}/rows", null, false),
            ("GET", "/api/marts/stg_events/rows", "/api/marts/{key}/rows", null, false),
            ("GET", "/api/marts/growth_metrics/rows?limit=0", "/api/marts/{key}/rows", null, false),
            ("GET", "/api/assets/stg_events/materializations", "/api/assets/{key}/materializations", null, false),
            ("GET", "/api/assets/nope/materializations", "/api/assets/{key}/materializations", null, false),
            ("GET", "/api/runs", "/api/runs", null, false),
            ("GET", "/api/runs?page=0", "/api/runs", null, false),
            ("GET", $"/api/runs/{Guid.NewGuid()}", "/api/runs/{id}", null, false),
            ("GET", $"/api/runs/{runId}", "/api/runs/{id}", null, false),
            ("GET", $"/api/runs/{Guid.NewGuid()}/events", "/api/runs/{id}/events", null, false),
            ("POST", "/api/runs", "/api/runs", Json("""{"selection": "*"}"""), false),
            ("POST", "/api/runs", "/api/runs", Json("{}"), true),
            ("POST", "/api/runs", "/api/runs", Json(big), true),
            ("POST", "/api/runs", "/api/runs", new StringContent("x", Encoding.UTF8, "text/plain"), true),
            ("POST", "/api/runs", "/api/runs", Json("""{"selection": "stg_events"}"""), true),
            ("POST", $"/api/runs/{runId}/retry", "/api/runs/{id}/retry", null, true),
            ("POST", $"/api/runs/{runId}/cancel", "/api/runs/{id}/cancel", null, true),
            ("POST", $"/api/runs/{runId}/cancel", "/api/runs/{id}/cancel", null, true),
            ("POST", $"/api/runs/{Guid.NewGuid()}/cancel", "/api/runs/{id}/cancel", null, true),
        };
        var seen = new HashSet<string>();
        foreach (var (method, url, template, body, key) in requests)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = body };
            var response = await _api.Client(withKey: key).SendAsync(request);
            var status = ((int)response.StatusCode).ToString();
            seen.Add(status);
            var responses = paths.GetProperty(template).GetProperty(method.ToLowerInvariant()).GetProperty("responses");
            Assert.True(responses.TryGetProperty(status, out _),
                $"{method} {url} answered {status}, which the document does not list for {template} (it lists {string.Join(", ", responses.EnumerateObject().Select(r => r.Name))})");
        }

        // The requests above reach every status the API uses.
        Assert.Superset(new HashSet<string> { "200", "202", "400", "401", "404", "409", "413", "415" }, seen);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
