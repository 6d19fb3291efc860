using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AppHost;

/// <summary>What the dashboard offers beyond the stock resource view: links into the web UI, and runs on a click.</summary>
public static class DashboardExtensions
{
    /// <summary>The gateway's links: the web UI's catalog, lineage, runs and dashboards pages.</summary>
    public static IResourceBuilder<ProjectResource> WithWebUiLinks(this IResourceBuilder<ProjectResource> gateway)
    {
        var http = gateway.GetEndpoint("http");
        return gateway
            .WithUrlForEndpoint("http", url => url.DisplayText = "Web UI: catalog")
            .WithUrl(ReferenceExpression.Create($"{http}/lineage"), "Web UI: lineage")
            .WithUrl(ReferenceExpression.Create($"{http}/runs"), "Web UI: runs")
            .WithUrl(ReferenceExpression.Create($"{http}/dashboards"), "Web UI: dashboards");
    }

    /// <summary>
    /// "Materialize everything" and "Materialize the marts" on the API resource: each queues a run through the API
    /// with the API key, follows it to its end (at most 30 minutes), and shows how it ended.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMaterializeCommands(this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> apiKey)
    {
        foreach (var (name, title, selection) in new[] { ("materialize-all", "Materialize everything", "*"), ("materialize-marts", "Materialize the marts", "layer:marts") })
        {
            api.WithCommand(name, title, context => MaterializeAsync(api.GetEndpoint("http"), apiKey.Resource, selection, context.CancellationToken),
                new CommandOptions
                {
                    Description = $"POST /api/runs with {{\"selection\": \"{selection}\"}}, then follow the run",
                    IconName = "Play",
                    UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
                });
        }

        return api;
    }

    internal static async Task<ExecuteCommandResult> MaterializeAsync(EndpointReference endpoint, ParameterResource apiKey, string selection, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = new Uri(endpoint.Url), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", await apiKey.GetValueAsync(cancellationToken));
        using var response = await http.PostAsJsonAsync("/api/runs", new { selection }, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return CommandResults.Failure($"POST /api/runs answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var runId = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("run_id").GetString();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(30))
        {
            var run = await http.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}", cancellationToken);
            var status = run.GetProperty("status").GetString();
            if (status is "succeeded")
            {
                return CommandResults.Success($"run {runId} of '{selection}' succeeded in {clock.Elapsed.TotalSeconds:0.0} s");
            }

            if (status is "failed" or "canceled")
            {
                var error = run.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? $": {e.GetString()}" : "";
                return CommandResults.Failure($"run {runId} of '{selection}' {status}{error}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }

        return CommandResults.Success($"run {runId} of '{selection}' is still going after 30 minutes; see /runs/{runId}");
    }
}
