using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Extensions;

public static class CatalogApiExtensions
{
    /// <summary>
    /// OpenAPI, problem details, the API key options, and (unless <c>Analytics:InProcessWorker</c> is false) a queue
    /// worker in this process for single-machine use.
    /// </summary>
    public static IHostApplicationBuilder AddCatalogApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddAnalyticsTransformers());
        // Every problem carries a correlation id; an unexpected exception becomes a 500 problem with that id and no
        // stack trace (the exception handler logs it once, under the same id).
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["trace_id"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
            // The framework's own 400s (a parameter it cannot bind) say which parameter and what it got.
            if (context.Exception is BadHttpRequestException bad)
            {
                context.ProblemDetails.Detail ??= Problems.Clip(bad.Message);
            }

            // The database is down or refusing connections: the client may try again; nothing it sent was wrong.
            if (context.ProblemDetails.Status == StatusCodes.Status503ServiceUnavailable)
            {
                context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                context.ProblemDetails.Title = "Database unavailable";
                context.ProblemDetails.Detail = $"PostgreSQL cannot be reached right now; try again in {RetryAfterSeconds} s.";
            }

            // Routing answers 415 itself for a body an endpoint does not accept (its Accepts metadata); say what it takes.
            if (context.ProblemDetails.Status == StatusCodes.Status415UnsupportedMediaType)
            {
                context.ProblemDetails.Detail ??= "Send the body as JSON with content-type: application/json, e.g. {\"selection\": \"*\"}.";
            }
        });
        builder.Services.AddSingleton<CatalogCache>();
        builder.Services.AddSingleton<MartCache>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<CatalogCache>());
        builder.Services.AddSingleton<IValidateOptions<ApiKeyOptions>, ApiKeyOptionsValidation>();
        builder.Services.AddOptions<ApiKeyOptions>().BindConfiguration("Analytics").ValidateOnStart();
        builder.Services.AddSingleton<ReadScopes>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<AuditWriter>());
        builder.Services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            // Run kinds and statuses are enums in code and their WireName (snake_case) on the wire.
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            // Numbers are numbers both ways; the web defaults also read "5" for 5, which made the OpenAPI document (and
            // the types generated from it) say every number may be a string.
            json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        if (builder.Configuration.GetValue("Analytics:InProcessWorker", true))
        {
            builder.AddRunWorker();
        }
        else
        {
            builder.Services.AddHostedService<RunReaperService>();
        }

        return builder;
    }

    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// Whether a request failed because PostgreSQL is unreachable or refusing connections (down, restarting, full),
    /// rather than because of anything in the request: a 503 with Retry-After, not a 500.
    /// </summary>
    internal static bool DatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case Npgsql.PostgresException postgres:
                    // admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections
                    return postgres.SqlState is "57P01" or "57P02" or "57P03" or "53300";
                case Npgsql.NpgsqlException { IsTransient: true }:
                case System.Net.Sockets.SocketException:
                    return true;
            }
        }

        return false;
    }

    public static WebApplication UseCatalogApi(this WebApplication app)
    {
        // A request the framework cannot bind (limit=abc for an int) is the client's mistake: its 400, not a 500.
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Analytics.Api.Requests");
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode
                : DatabaseUnavailable(e) ? StatusCodes.Status503ServiceUnavailable
                : StatusCodes.Status500InternalServerError,
            // A client that went away mid-upload, or sent what the framework cannot bind, is no fault of ours: said once,
            // at debug, for what it is, instead of as an unhandled exception with its stack trace.
            SuppressDiagnosticsCallback = context =>
            {
                if (DatabaseUnavailable(context.Exception))
                {
                    log.LogWarning("{Method} {Path}: 503, PostgreSQL cannot be reached: {Reason}", context.HttpContext.Request.Method,
                        context.HttpContext.Request.Path, context.Exception.Message);
                    return true;
                }

                var aborted = context.HttpContext.RequestAborted.IsCancellationRequested || context.Exception is IOException or OperationCanceledException;
                if (!aborted && context.Exception is not BadHttpRequestException)
                {
                    return false;
                }

                log.LogDebug("{Method} {Path}: {What}: {Reason}", context.HttpContext.Request.Method, context.HttpContext.Request.Path,
                    aborted ? "the client went away before its request was read" : "the request could not be read", context.Exception.Message);
                return true;
            },
        });
        app.UseStatusCodePages();
        app.UseAuditLog();
        app.MapOpenApi();
        return app;
    }
}
