using Analytics.Api.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Apis;

/// <summary>
/// The web UI (web/, built by Vite into webui/ beside the API) on its public routes, the one-time sign-in link,
/// and <c>/api/session</c>, which tells the page whether writes are signed in.
/// </summary>
public static class WebApp
{
    /// <summary>The pages; each answers index.html and the page's script draws it.</summary>
    public static readonly string[] Pages = ["/", "/lineage", "/assets/{key}", "/runs", "/runs/{id}", "/dashboards", "/automation", "/sources", "/audit"];

    private static int _signInSpent;

    public static WebApplication MapWebApp(this WebApplication app)
    {
        var root = app.Configuration["Analytics:WebRoot"] ?? Path.Combine(AppContext.BaseDirectory, "webui");
        var built = File.Exists(Path.Combine(root, "index.html"));
        if (built)
        {
            var files = new PhysicalFileProvider(Path.GetFullPath(root));
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                // Vite names bundles by content hash, so they never change; index.html is always asked again.
                OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                    context.File.Name == "index.html" ? "no-cache" : "public, max-age=31536000, immutable",
            });
        }

        foreach (var page in Pages)
        {
            app.MapGet(page, (HttpContext context) => built
                    ? Results.File(Path.Combine(Path.GetFullPath(root), "index.html"), "text/html; charset=utf-8")
                    : Results.Content(
                        $"<!doctype html><title>Analytics</title><link rel=\"icon\" href=\"data:,\"><p>The web UI is not built: run <code>scripts/build-web</code> "
                        + $"(npm ci and vite build in web/), then restart. Looked in {System.Net.WebUtility.HtmlEncode(root)}.</p>",
                        "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound))
                .ExcludeFromDescription();
        }

        app.MapGet("/signin", SignIn).ExcludeFromDescription();
        app.MapGet("/api/session", (HttpContext context, IOptions<ApiKeyOptions> options) =>
            {
                var key = options.Value.ApiKey;
                var cookie = context.Request.Cookies[ApiKeyFilter.SessionCookie];
                var signedIn = !string.IsNullOrEmpty(key) && !string.IsNullOrEmpty(cookie) && ApiKeyFilter.Matches(cookie, ApiKeyFilter.SessionValue(key));
                return TypedResults.Ok(new SessionView(signedIn, !string.IsNullOrEmpty(key)));
            })
            .WithTags("Session").WithName("GetSession")
            .WithSummary("Whether this browser holds the session cookie of the sign-in link, and whether the server accepts writes at all")
            .Produces<SessionView>();
        return app;
    }

    private static IResult SignIn(string? token, HttpContext context, IOptions<ApiKeyOptions> options)
    {
        var expected = options.Value.SignInToken;
        var key = options.Value.ApiKey;
        if (string.IsNullOrEmpty(expected) || string.IsNullOrEmpty(key) || string.IsNullOrEmpty(token)
            || !ApiKeyFilter.Matches(token, expected) || Interlocked.Exchange(ref _signInSpent, 1) == 1)
        {
            return Results.Content("<!doctype html><title>Sign-in link</title><link rel=\"icon\" href=\"data:,\"><p>This sign-in link is not valid or was already used. "
                                   + "Restart the AppHost for a new one, or enter the API key when the page asks.</p><p><a href=\"/\">Back to the catalog</a></p>",
                "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }

        context.Response.Cookies.Append(ApiKeyFilter.SessionCookie, ApiKeyFilter.SessionValue(key), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
        // Away from the URL that held the token, so it is not left in the address bar or the history.
        return Results.Redirect("/");
    }
}

public sealed record SessionView(bool SignedIn, bool WritesEnabled);
