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
        ["Session"] = "Whether the browser is signed in through the AppHost's one-time link.",
        ["Marts"] = "Rows of the marts for charts: chosen columns, filters and a cap, cached until the mart is rebuilt.",
        ["Automation"] = "What runs the platform unattended: schedules (pause, resume, tick), the landing-folder sensor, and alert incidents. Writes need the X-Api-Key header.",
    };

    public static OpenApiOptions AddAnalyticsTransformers(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Analytics catalog API";
            document.Info.Description = "The asset catalog, lineage, runs and mart rows of the analytics platform. Reads are public; writes need the API key.";
            document.Info.License = new OpenApiLicense { Name = "MIT", Identifier = "MIT" };
            document.Servers = [new OpenApiServer { Url = "/", Description = "The origin that served this document" }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyFilter.Header,
                Description = "The key the server was started with (Analytics__ApiKey); the AppHost prints it at start-up.",
            };
            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            {
                tag.Description ??= TagDescriptions.GetValueOrDefault(tag.Name ?? "");
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var needsKey = context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiKeyFilter.Required>().Any();
            // An empty list says "public" explicitly; the key's requirement says which header to send.
            operation.Security = needsKey
                ? [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] }]
                : [];
            return Task.CompletedTask;
        });
        return options;
    }
}
