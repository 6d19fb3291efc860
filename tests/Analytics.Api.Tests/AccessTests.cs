using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Analytics.Api.Extensions;
using Analytics.Cli;
using Analytics.Core.Access;
using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests;

/// <summary>
/// Principals and roles: every route declares its role and is refused (401 without a key, 403 below the role) to
/// whoever lacks it; keys are shown once, kept as a hash, and refused from the request after they are revoked or expire.
/// </summary>
public sealed class AccessTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _db;
    private readonly ApiHost _api;

    public AccessTests(DatabaseFixture db)
    {
        _db = db;
        _api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false,
            new Dictionary<string, string?> { ["Analytics:ReadsNeedKey"] = "true" });
    }

    public void Dispose() => _api.Dispose();

    private HttpClient As(string? key) => _api.ClientAs(key);

    private async Task<string> KeyAsync(string name, Role role) =>
        (await new ApiKeyStore(_db.DataSource).CreateAsync(name, role, null, null, "test", CancellationToken.None)).Key;

    [Fact]
    public async Task Every_route_is_refused_to_whoever_lacks_its_role_and_served_to_whoever_has_it()
    {
        var keys = new Dictionary<Role, string>();
        foreach (var role in Enum.GetValues<Role>())
        {
            keys[role] = await KeyAsync($"walk-{WireName.Of(role)}", role);
        }

        var routes = _api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/", StringComparison.Ordinal) && e.RoutePattern.RawText != "/api/session")
            .ToList();
        Assert.True(routes.Count >= 20, $"{routes.Count} routes");
        var document = await (await As(keys[Role.Viewer]).GetAsync("/openapi/v1.json")).JsonAsync();
        var checkedRoutes = 0;
        foreach (var route in routes)
        {
            // Declared in one place, at the mapping, and shown in the OpenAPI document.
            var declared = route.Metadata.GetMetadata<RequiredRole>();
            Assert.True(declared is not null, $"{route.RoutePattern.RawText} declares no role");
            var method = route.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single();
            var path = route.RoutePattern.RawText!.Replace("{id:guid}", Guid.NewGuid().ToString()).Replace("{key}", "fct_events")
                .Replace("{name}", "no_such_schedule").Replace("{id}", "000000000000");
            var documented = route.RoutePattern.RawText!.Replace(":guid", "").TrimEnd('/');
            var operation = document.GetProperty("paths").EnumerateObject().Single(p => p.Name.TrimEnd('/') == documented).Value.GetProperty(method.ToLowerInvariant());
            Assert.Equal(WireName.Of(declared.Role), operation.GetProperty("x-analytics-role").GetString());

            foreach (var caller in new Role?[] { null, Role.Viewer, Role.Operator, Role.Admin })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await As(caller is { } role ? keys[role] : null).SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var expected = caller is null ? HttpStatusCode.Unauthorized : caller < declared.Role ? HttpStatusCode.Forbidden : (HttpStatusCode?)null;
                if (expected is { } refused)
                {
                    Assert.True(refused == response.StatusCode, $"{method} {path} as {caller?.ToString() ?? "nobody"}: {(int)response.StatusCode}, expected {(int)refused}");
                }
                else
                {
                    Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)response.StatusCode < 500,
                        $"{method} {path} as {caller}: {(int)response.StatusCode}");
                }
            }

            checkedRoutes++;
        }

        Assert.Equal(routes.Count, checkedRoutes);
    }

    [Fact]
    public async Task A_key_is_shown_once_kept_as_a_hash_and_refused_from_the_request_after_it_is_revoked_or_expires()
    {
        var admin = _api.Client();
        var created = await admin.PostAsJsonAsync("/api/keys", new { name = "ci-bot", role = "operator" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.JsonAsync();
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("view").GetProperty("key_id").GetString()!;
        Assert.StartsWith($"ak_{id}_", key);

        // Only the hash is stored; the list never shows the key.
        var stored = await _db.RowsAsync($"select t::text, encode(secret_hash, 'hex') from runstore.api_keys t where key_id = '{id}'");
        Assert.DoesNotContain(key[(4 + id.Length)..], (string)stored[0][0]!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), stored[0][1]);
        var listed = await (await admin.GetAsync("/api/keys")).Content.ReadAsStringAsync();
        Assert.Contains("ci-bot", listed);
        Assert.DoesNotContain(key, listed);

        // The operator queues runs, but may not create keys; the run says who asked.
        var run = await As(key).PostAsJsonAsync("/api/runs", new { selection = "fct_events" });
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);
        var forbidden = await As(key).PostAsJsonAsync("/api/keys", new { name = "escalate", role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("needs the admin role; the key 'ci-bot' is a operator", (await forbidden.JsonAsync()).GetProperty("detail").GetString());
        Assert.NotNull(await _db.ScalarAsync<DateTime?>($"select last_used_at from runstore.api_keys where key_id = '{id}'"));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/keys/{id}/revoke", null)).StatusCode);
        var revoked = await As(key).PostAsJsonAsync("/api/runs", new { selection = "fct_events" });
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Contains("was revoked at", (await revoked.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/keys/{id}/revoke", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/keys/0123456789ab/revoke", null)).StatusCode);

        var later = await (await admin.PostAsJsonAsync("/api/keys", new { name = "temp", role = "viewer", expires_at = DateTimeOffset.UtcNow.AddHours(1) })).JsonAsync();
        var temp = later.GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await As(temp).GetAsync("/api/assets")).StatusCode);
        await _db.ExecuteAsync($"update runstore.api_keys set expires_at = now() - interval '1 minute' where key_id = '{later.GetProperty("view").GetProperty("key_id").GetString()}'");
        var expired = await As(temp).GetAsync("/api/assets");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired at", (await expired.JsonAsync()).GetProperty("detail").GetString());

        // A guessed key of the right shape learns nothing; reads need a key on this server.
        var guessed = await As($"ak_{id}_{new string('A', 43)}").GetAsync("/api/assets");
        Assert.Equal(HttpStatusCode.Unauthorized, guessed.StatusCode);
        Assert.Contains("not one this server issued", (await guessed.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await As(null).GetAsync("/api/assets")).StatusCode);
    }

    [Theory]
    [InlineData("""{"name": "x", "role": "root"}""", "role=root is no role; use one of viewer, operator, admin")]
    [InlineData("""{"name": "two words", "role": "viewer"}""", "is not 1 to 64 letters")]
    [InlineData("""{"name": "old", "role": "viewer", "expires_at": "2001-01-01"}""", "is not in the next 3,660 days")]
    [InlineData("""{"name": "bad", "role": "viewer", "expires_at": "soon"}""", "expires_at=soon is not a time")]
    [InlineData("""{"role": "viewer"}""", "A key needs a name and a role")]
    [InlineData("""{"name": "x", "role": "viewer", "scopes": ["all"]}""", "not the JSON this endpoint takes")]
    public async Task A_bad_key_request_is_a_400_that_says_what_to_send(string body, string expected)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        var response = await _api.Client().PostAsync("/api/keys", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task The_cli_creates_a_key_once_lists_it_without_the_key_and_revokes_it()
    {
        var settings = new AnalyticsSettings(_db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        var (created, problem) = (new StringWriter(), new StringWriter());
        Assert.True(0 == await CliApp.RunAsync(["keys", "create", "--name", "cli-viewer", "--role", "viewer", "--expires", "2036-01-01"], created, problem, settings), problem.ToString());
        var key = created.ToString().Split('\n').Single(l => l.StartsWith("ak_", StringComparison.Ordinal)).Trim();
        Assert.Equal(HttpStatusCode.OK, (await As(key).GetAsync("/api/assets")).StatusCode);

        var list = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["keys", "list"], list, TextWriter.Null, settings));
        Assert.Contains("cli-viewer", list.ToString());
        Assert.DoesNotContain(key, list.ToString());

        Assert.True(ApiKeyStore.TryParseId(key, out var id));
        Assert.Equal(0, await CliApp.RunAsync(["keys", "revoke", id], new StringWriter(), TextWriter.Null, settings));
        Assert.Equal(HttpStatusCode.Unauthorized, (await As(key).GetAsync("/api/assets")).StatusCode);
        var error = new StringWriter();
        Assert.Equal(2, await CliApp.RunAsync(["keys", "create", "--name", "x", "--role", "superuser"], TextWriter.Null, error, settings));
        Assert.Contains("--role 'superuser' is no role", error.ToString());
    }
}
