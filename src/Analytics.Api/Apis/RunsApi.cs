using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Selection;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.AspNetCore.Mvc;

namespace Analytics.Api.Apis;

/// <summary><c>/api/runs</c>: queue materializations, follow them live, cancel and retry them.</summary>
public static class RunsApi
{
    private static readonly TimeSpan EventPoll = TimeSpan.FromMilliseconds(200);

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/runs").WithTags("Runs");
        api.MapPost("/", EnqueueAsync).RequireRole(Role.Operator).WithName("QueueRun").WithSummary("Queue a materialization of a selection")
            .Accepts<RunRequest>("application/json").Produces<RunView>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/", ListAsync).RequireRole(Role.Viewer).WithName("ListRuns").WithSummary("Runs, newest first, paged; status= keeps one status")
            .Produces<RunPage>().ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/{id:guid}", GetAsync).RequireRole(Role.Viewer).WithName("GetRun").WithSummary("A run: status, steps with timings, rows and errors")
            .Produces<RunView>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/{id:guid}/events", EventsAsync).RequireRole(Role.Viewer).WithName("FollowRun")
            .WithSummary("The run's events as server-sent events: what happened so far, then live")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/{id:guid}/cancel", CancelAsync).RequireRole(Role.Operator).WithName("CancelRun")
            .WithSummary("Cancel a queued run (200) or ask a running one to stop (202)")
            .Produces<RunView>().Produces<RunView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/{id:guid}/retry", RetryAsync).RequireRole(Role.Operator).WithName("RetryRun")
            .WithSummary("Re-execute a finished run's unfinished steps")
            .Produces<RunView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The largest body <c>POST /api/runs</c> reads: a selection is at most 4 KB, so 64 KB is plenty.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The most runs one page lists, and the deepest page (beyond it there is nothing a person pages to).</summary>
    public const int MaxPageSize = 200;
    public const int MaxPage = 1_000_000;

    private static readonly JsonSerializerOptions RequestJson = JsonBody.Strict(maxDepth: 8);

    private static async Task<IResult> EnqueueAsync(AssetProject project, HttpContext http, RunQueue queue, RunStoreQueries queries, CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadRequestAsync(http.Request, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (string.IsNullOrWhiteSpace(request!.Selection))
        {
            return Problems.BadRequest("The body has no selection; send one, e.g. {\"selection\": \"*\"} for everything or {\"selection\": \"+growth_metrics\"}.");
        }

        var selection = request.Selection.Trim();
        SelectionExpression parsed;
        IReadOnlyList<string> plan;
        try
        {
            parsed = SelectionParser.Parse(selection);
            plan = parsed.ResolveOrdered(project.Graph);
        }
        catch (SelectionException e)
        {
            return Problems.BadSelection(e);
        }

        if (plan.Count == 0)
        {
            return Problems.BadRequest(EmptySelection.Explain(selection, parsed, project.Graph));
        }

        var (build, buildProblem) = BuildOf(request);
        if (buildProblem is not null)
        {
            return buildProblem;
        }

        var runId = await queue.EnqueueAsync(selection, plan, Requester(http),
            request.ChecksOnly is true ? RunKind.Check : RunKind.Materialize, null, cancellationToken, build);
        var run = await queries.GetRunAsync(runId, cancellationToken);
        return TypedResults.Accepted($"/api/runs/{runId}", run);
    }

    private static async Task<IResult> ListAsync(string? page, [FromQuery(Name = "page_size")] string? pageSize, string? status,
        AssetProject project, RunStoreQueries queries, CancellationToken cancellationToken)
    {
        if (!TryParseRange(page, "page", 1, 1, MaxPage, out var p, out var problem)
            || !TryParseRange(pageSize, "page_size", 50, 1, MaxPageSize, out var size, out problem))
        {
            return problem!;
        }

        RunStatus? only = null;
        if (status is not null)
        {
            if (!Enum.GetValues<RunStatus>().Any(s => WireName.Of(s) == status))
            {
                return Problems.BadRequest($"status={Problems.Clip(status)} is no run status; use one of "
                                           + $"{string.Join(", ", Enum.GetValues<RunStatus>().Select(WireName.Of))}.");
            }

            only = WireName.Parse<RunStatus>(status);
        }

        var runs = await queries.ListRunsAsync(p, size, only, cancellationToken);
        return TypedResults.Ok(new RunPage(p, size, runs));
    }

    /// <summary>An integer query parameter within its range; anything else is a 400 that says the range.</summary>
    internal static bool TryParseRange(string? text, string name, int fallback, int min, int max, out int value, out IResult? problem)
    {
        problem = null;
        value = fallback;
        if (text is null)
        {
            return true;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        problem = Problems.BadRequest($"{name}={Problems.Clip(text)} is not a whole number from {min} to {max:N0}.");
        return false;
    }

    /// <summary>The request's build options (full refresh, backfill), or a 400 that says what is wrong with them.</summary>
    private static (BuildOptions Build, IResult? Problem) BuildOf(RunRequest request)
    {
        var full = request.FullRefresh is true;
        if (request.Backfill is null)
        {
            return full && request.ChecksOnly is true
                ? (BuildOptions.Default, Problems.BadRequest("full_refresh builds tables and checks_only builds none; send one of them."))
                : (new BuildOptions(FullRefresh: full), null);
        }

        if (full || request.ChecksOnly is true)
        {
            return (BuildOptions.Default, Problems.BadRequest(
                $"backfill rebuilds a date range, which {(full ? "full_refresh (every date)" : "checks_only (no build)")} contradicts; send backfill alone."));
        }

        if (!TryParseDate(request.Backfill.From, "backfill.from", out var from, out var problem) || !TryParseDate(request.Backfill.To, "backfill.to", out var to, out problem))
        {
            return (BuildOptions.Default, problem);
        }

        try
        {
            return (BuildOptions.Backfill(from, to, ("backfill.from", "backfill.to")), null);
        }
        catch (ArgumentException e)
        {
            return (BuildOptions.Default, Problems.BadRequest(e.Message));
        }
    }

    private static bool TryParseDate(string? text, string name, out DateOnly date, out IResult? problem)
    {
        problem = null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out date))
        {
            return true;
        }

        problem = Problems.BadRequest(text is null
            ? $"{name} is missing; send the range as \"backfill\": {{\"from\": \"2025-01-01\", \"to\": \"2025-01-31\"}}."
            : $"{name}={Problems.Clip(text)} is not a date; write it as YYYY-MM-DD, e.g. 2025-01-01.");
        return false;
    }

    private static Task<(RunRequest? Request, IResult? Problem)> ReadRequestAsync(HttpRequest request, CancellationToken cancellationToken) =>
        JsonBody.ReadAsync<RunRequest>(request, MaxBodyBytes, RequestJson,
            "Send {\"selection\": \"...\"}, and optionally \"checks_only\": true, \"full_refresh\": true "
            + "or \"backfill\": {\"from\": \"YYYY-MM-DD\", \"to\": \"YYYY-MM-DD\"}.", cancellationToken);

    private static async Task<IResult> GetAsync(Guid id, CatalogCache cache, CancellationToken cancellationToken) =>
        await cache.RunAsync(id, cancellationToken) is { } run ? TypedResults.Ok(run) : Problems.UnknownRun(id);

    private static async Task<IResult> EventsAsync(Guid id, AssetProject project, HttpContext http, RunStoreQueries queries, CancellationToken cancellationToken)
    {
        if (await queries.GetRunAsync(id, cancellationToken) is null)
        {
            return Problems.UnknownRun(id);
        }

        _ = long.TryParse(http.Request.Headers["Last-Event-ID"].ToString(), out var after);
        var graph = project.Graph;
        return TypedResults.ServerSentEvents(Stream(queries, id, after, e => Withheld(e, http, graph), cancellationToken));
    }

    /// <summary>Replays the run's events from the store, then polls for new ones until the run has finished.</summary>
    /// <summary>A check_result event as the request may see it: its failing rows' sample withheld where <see cref="ReadScopes.SeesSamples"/> says.</summary>
    private static RunEvent Withheld(RunEvent e, HttpContext http, Core.Graph.AssetGraph graph)
    {
        if (e.Kind != "check_result" || e.Payload is not { ValueKind: System.Text.Json.JsonValueKind.Object } payload
            || ReadScopes.SeesSamples(http, e.AssetKey is { } key && graph.Contains(key) ? graph[key] : null))
        {
            return e;
        }

        var copy = System.Text.Json.Nodes.JsonNode.Parse(payload.GetRawText())!.AsObject();
        foreach (var name in copy.Select(p => p.Key).Where(k => k.Equals("sample", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            copy[name] = System.Text.Json.Nodes.JsonNode.Parse(ReadScopes.WithheldSample.GetRawText());
        }

        return e with { Payload = System.Text.Json.JsonSerializer.SerializeToElement(copy) };
    }

    private static async IAsyncEnumerable<SseItem<RunEvent>> Stream(RunStoreQueries queries, Guid id, long after, Func<RunEvent, RunEvent> shown,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var events = await queries.EventsAsync(id, after, cancellationToken);
            foreach (var e in events)
            {
                after = e.EventId;
                yield return new SseItem<RunEvent>(shown(e), e.Kind) { EventId = e.EventId.ToString() };
            }

            if (events.Any(e => e.Kind == "run_finished")
                || (events.Count == 0 && await queries.GetRunAsync(id, cancellationToken) is { } run && run.Status.IsFinished()
                    && (await queries.EventsAsync(id, after, cancellationToken)).Count == 0))
            {
                yield break;
            }

            await Task.Delay(EventPoll, cancellationToken);
        }
    }

    private static async Task<IResult> CancelAsync(Guid id, RunQueue queue, RunStoreQueries queries, CancellationToken cancellationToken)
    {
        if (await queries.GetRunAsync(id, cancellationToken) is not { } run)
        {
            return Problems.UnknownRun(id);
        }

        var outcome = await queue.RequestCancelAsync(id, cancellationToken);
        if (outcome is null)
        {
            var finished = await queries.GetRunAsync(id, cancellationToken) ?? run;
            return Problems.Conflict($"Run {id} has already finished ({WireName.Of(finished.Status)}); there is nothing to cancel.");
        }

        // 200: the queued run is canceled, done. 202: its worker was asked to stop between steps; a run finishing its
        // last step meanwhile still ends succeeded, which GET /api/runs/{id} then shows.
        var after = await queries.GetRunAsync(id, cancellationToken);
        return outcome == RunStatus.Canceled ? TypedResults.Ok(after) : TypedResults.Accepted($"/api/runs/{id}", after);
    }

    private static async Task<IResult> RetryAsync(Guid id, AssetProject project, HttpContext http, RunQueue queue, RunStoreQueries queries, CancellationToken cancellationToken)
    {
        if (await queries.GetRunAsync(id, cancellationToken) is not { } run)
        {
            return Problems.UnknownRun(id);
        }

        if (!run.Status.IsFinished())
        {
            return Problems.Conflict($"Run {id} is {WireName.Of(run.Status)}; retry it once it has finished, or cancel it first.");
        }

        var unfinished = run.Steps!.Where(s => s.Status != WireName.Of(StepStatus.Succeeded)).Select(s => s.AssetKey).ToList();
        if (unfinished.Count == 0)
        {
            return Problems.Conflict($"Run {id} succeeded; every step is done, so there is nothing to re-execute.");
        }

        var plan = project.Graph.Order(unfinished.Where(project.Graph.Contains));
        var retryId = await queue.EnqueueAsync(
            $"retry of {id}: {string.Join(' ', plan)}", plan, Requester(http), run.Kind, id, cancellationToken,
            // A retry builds as its run did: a retried full refresh or backfill is still one.
            new BuildOptions(run.FullRefresh, run.BackfillFrom, run.BackfillTo));
        return TypedResults.Accepted($"/api/runs/{retryId}", await queries.GetRunAsync(retryId, cancellationToken));
    }

    /// <summary>Who asked, as the run store keeps it: a short client name (<see cref="ClientName"/>).</summary>
    private static string Requester(HttpContext http) => ClientName.Of(http);
}

/// <summary>
/// What <c>POST /api/runs</c> takes: a selection; optionally checks only, or how incremental assets build: whole
/// (<c>full_refresh</c>, the CLI's <c>--full-refresh</c>) or the partitions dated in a range (<c>backfill</c>, the CLI's <c>backfill</c>).
/// </summary>
public sealed record RunRequest(string? Selection, bool? ChecksOnly, bool? FullRefresh = null, DateRangeRequest? Backfill = null);

/// <summary>A range of days, both ends included, as YYYY-MM-DD.</summary>
public sealed record DateRangeRequest(string? From, string? To);

public sealed record RunPage(int Page, int PageSize, IReadOnlyList<RunView> Runs);
