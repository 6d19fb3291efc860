using Analytics.Core.Access;
using Analytics.Core.Execution;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Analytics.Api.Extensions;

/// <summary>
/// What the generated OpenAPI document cannot know by itself: the API key scheme and which operations need it,
/// a server URL relative to wherever the document was fetched (directly or through the gateway), the licence,
/// and what each tag is.
/// </summary>
public static class OpenApiDocumentTransformers
{
    public const string ApiKeyScheme = "ApiKey";

    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Assets"] = "The declared assets: status, lineage, SQL, columns, checks and a preview of their tables.",
        ["Graph"] = "The asset graph, or the part of it a selection picks.",
        ["Runs"] = "Materializations: queue, follow live, cancel and retry. Writes need the X-Api-Key header.",
        ["Keys"] = "Principals' API keys: create (the key is shown once), list, revoke. Admin only.",
        ["Audit"] = "The audit log: every write, every read of warehouse rows, every refused request and key change, hash-chained. Admin only.",
        ["Erasures"] = "Erase a subject everywhere, with the search that proves it gone; list the erasures. Admin only.",
        ["Session"] = "Whether the browser is signed in through the AppHost's one-time link.",
        ["Marts"] = "Rows of the marts for charts: chosen columns, filters and a cap, cached until the mart is rebuilt.",
        ["Sources"] = "The declared sources: where their rows come from, their columns and rules, the watermark, and their latest loads and extractions.",
        ["Automation"] = "What runs the platform unattended: schedules (pause, resume, tick), the landing-folder sensor, and alert incidents. Writes need the X-Api-Key header.",
    };

    public static OpenApiOptions AddAnalyticsTransformers(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Analytics catalog API";
            document.Info.Description = "The asset catalog, lineage, runs and mart rows of the analytics platform. Each operation names its role (x-analytics-role): viewer reads (public unless the server requires keys for reads), operator runs and schedules, admin keys.";
            document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
            document.Servers = [new OpenApiServer { Url = "/", Description = "The origin that served this document" }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyFilter.Header,
                Description = "The key the server was started with (Analytics__ApiKey, an admin; the AppHost prints it at start-up), or a principal's key from 'analytics keys create' or POST /api/keys.",
            };
            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            {
                tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "");
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var role = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredRole>().LastOrDefault()?.Role;
            // The role each endpoint declares, as an extension and in words; reads are public unless the server requires
            // keys for them, so their security lists both "no key" (an empty requirement) and the key.
            if (role is { } required)
            {
                operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                operation.Extensions["x-analytics-role"] = new JsonNodeExtension(System.Text.Json.Nodes.JsonValue.Create(WireName.Of(required)));
                operation.Description = $"{operation.Description}{(string.IsNullOrEmpty(operation.Description) ? "" : " ")}Role: {WireName.Of(required)}"
                                        + (required == Role.Viewer ? " (public unless the server requires keys for reads)." : ".");
            }

            var key = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] };
            operation.Security = role switch
            {
                null => [],
                Role.Viewer => [new OpenApiSecurityRequirement(), key],
                _ => [key],
            };
            return Task.CompletedTask;
        });
        return options;
    }
}
