using System.Collections.Concurrent;
using System.Text.Json;
using Analytics.Superset;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Api.Tests;

/// <summary>
/// A local server that answers as Superset's REST API does for a dashboard import: login returns a bearer token;
/// the CSRF token endpoint sets a session cookie and remembers the token for it; the import needs the bearer, the
/// session cookie and its X-CSRFToken, takes multipart formData/overwrite/passwords, and refuses (422) a bundle its
/// importer would refuse. <see cref="Mode"/> makes it misbehave the ways a real one can.
/// </summary>
public sealed class FakeSuperset : IAsyncDisposable
{
    public const string Username = "admin";
    public const string Password = "admin-password-not-secret";
    public const string DatabasePassword = "warehouse-password-not-secret";

    public enum Behaviour
    {
        Normal,
        NoSessionCookie,
        RefuseImport,
    }

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, string> _csrfBySession = new();

    public FakeSuperset(Behaviour mode = Behaviour.Normal)
    {
        Mode = mode;
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/api/v1/security/login", async (HttpRequest request) =>
        {
            var body = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body);
            return body.GetProperty("username").GetString() == Username && body.GetProperty("password").GetString() == Password
                   && body.GetProperty("provider").GetString() == "db"
                ? Results.Json(new { access_token = "token-1" })
                : Results.Json(new { message = "Not authorized" }, statusCode: 401);
        });
        _app.MapGet("/api/v1/security/csrf_token/", (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization != "Bearer token-1")
            {
                return Results.Json(new { msg = "Missing Authorization Header" }, statusCode: 401);
            }

            var csrf = Guid.NewGuid().ToString("N");
            if (Mode != Behaviour.NoSessionCookie)
            {
                var session = Guid.NewGuid().ToString("N");
                _csrfBySession[session] = csrf;
                context.Response.Cookies.Append("session", session, new CookieOptions { HttpOnly = true });
            }

            return Results.Json(new { result = csrf });
        });
        _app.MapPost("/api/v1/dashboard/import/", async (HttpContext context) =>
        {
            var request = context.Request;
            if (request.Headers.Authorization != "Bearer token-1")
            {
                return Results.Json(new { msg = "Missing Authorization Header" }, statusCode: 401);
            }

            if (request.Cookies["session"] is not { } session || !_csrfBySession.TryGetValue(session, out var expected)
                || request.Headers["X-CSRFToken"] != expected)
            {
                return Results.Json(new { errors = new[] { new { message = "400 Bad Request: The CSRF session token is missing." } } }, statusCode: 400);
            }

            var form = await request.ReadFormAsync();
            if (form.Files["formData"] is not { } file || form["overwrite"] != "true")
            {
                return Results.Json(new { message = "formData and overwrite=true are required" }, statusCode: 400);
            }

            await using var zip = file.OpenReadStream();
            var problems = BundleValidator.Validate(SupersetBundle.ReadZip(zip));
            var passwords = JsonSerializer.Deserialize<Dictionary<string, string>>(form["passwords"].ToString() is { Length: > 0 } p ? p : "{}")!;
            if (passwords.GetValueOrDefault($"databases/{BundleBuilder.DatabaseName}.yaml") != DatabasePassword)
            {
                problems = [.. problems, "databases: Must provide a password for the database"];
            }

            if (Mode == Behaviour.RefuseImport)
            {
                problems = [.. problems, "Error importing dashboard: dataset marts.growth_metrics does not exist"];
            }

            if (problems.Count > 0)
            {
                return Results.Json(new { errors = problems.Select(m => new { message = m }) }, statusCode: 422);
            }

            Imports++;
            return Results.Json(new { message = "OK" });
        });
        _app.MapGet("/api/v1/dashboard/{idOrSlug}", (string idOrSlug) =>
            Imports > 0 && idOrSlug == "growth" ? Results.Json(new { result = new { id = 1, slug = "growth" } }) : Results.Json(new { message = "Not found" }, statusCode: 404));
        _app.StartAsync().GetAwaiter().GetResult();
        Url = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public Behaviour Mode { get; }

    public Uri Url { get; }

    public int Imports { get; private set; }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
