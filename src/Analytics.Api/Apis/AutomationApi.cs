using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.Core.Alerting;
using Analytics.Core.Assets;
using Analytics.Core.Scheduling;
using Analytics.Core.Selection;
using Analytics.Orchestration;
using Analytics.Orchestration.Alerting;
using Analytics.RunStore;
using Microsoft.Extensions.Options;

namespace Analytics.Api.Apis;

/// <summary><c>/api/schedules</c>, <c>/api/sensors</c> and <c>/api/alerts</c>: what runs the platform unattended, and what it said.</summary>
public static class AutomationApi
{
    public const int MaxAlerts = 500;

    public static IEndpointRouteBuilder MapAutomationApi(this IEndpointRouteBuilder app)
    {
        var schedules = app.MapGroup("/api/schedules").WithTags("Automation");
        schedules.MapGet("/", ListSchedulesAsync).RequireRole(Role.Viewer).WithName("ListSchedules")
            .WithSummary("The schedules of schedules.yml: cron, time zone, selection, paused, next tick, latest ticks with their runs")
            .Produces<List<ScheduleView>>().ProducesProblem(StatusCodes.Status409Conflict);
        schedules.MapPost("/{name}/pause", (string name, AssetProject project, ScheduleTicks ticks, AnalyticsSettings settings, CancellationToken token) =>
                SetPausedAsync(name, true, project, ticks, settings, token))
            .RequireRole(Role.Operator).WithName("PauseSchedule").WithSummary("Pause a schedule: no tick fires until it is resumed (kept across restarts)")
            .Produces<ScheduleView>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        schedules.MapPost("/{name}/resume", (string name, AssetProject project, ScheduleTicks ticks, AnalyticsSettings settings, CancellationToken token) =>
                SetPausedAsync(name, false, project, ticks, settings, token))
            .RequireRole(Role.Operator).WithName("ResumeSchedule").WithSummary("Resume a paused schedule from its next tick")
            .Produces<ScheduleView>().ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        schedules.MapPost("/{name}/tick", TickAsync)
            .RequireRole(Role.Operator).WithName("TickSchedule").WithSummary("Fire a schedule now, by hand: its selection is queued as a run")
            .Produces<RunView>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        app.MapGet("/api/sensors", SensorsAsync).WithTags("Automation").RequireRole(Role.Viewer).WithName("ListSensors")
            .WithSummary("The landing-folder sensor: where it looks, when it last looked, and the files it saw with what became of each")
            .Produces<List<SensorView>>();
        app.MapGet("/api/alerts", AlertsAsync).WithTags("Automation").RequireRole(Role.Viewer).WithName("ListAlerts")
            .WithSummary("The alert rules, the configured channels, and the incidents newest first with their messages (status=open keeps the open ones)")
            .Produces<AlertsView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>The schedules as declared now (the file is read per request, so an edit shows without a restart).</summary>
    private static (ScheduleCatalog? Catalog, IResult? Problem) Catalog(AssetProject project, ScheduleTicks ticks, AnalyticsSettings settings)
    {
        try
        {
            return (new ScheduleCatalog(project, ticks, ScheduleFile.Load(AnalyticsEnvironment.AssetsFolder(settings))), null);
        }
        catch (AssetDeclarationException e)
        {
            return (null, Problems.Conflict($"schedules.yml cannot be read: {e.Message}"));
        }
    }

    private static async Task<IResult> ListSchedulesAsync(AssetProject project, ScheduleTicks ticks, AnalyticsSettings settings, CancellationToken cancellationToken)
    {
        var (catalog, problem) = Catalog(project, ticks, settings);
        return problem ?? TypedResults.Ok(await catalog!.ListAsync(DateTimeOffset.UtcNow, cancellationToken));
    }

    private static async Task<IResult> SetPausedAsync(string name, bool paused, AssetProject project, ScheduleTicks ticks, AnalyticsSettings settings, CancellationToken cancellationToken)
    {
        var (catalog, problem) = Catalog(project, ticks, settings);
        if (problem is not null)
        {
            return problem;
        }

        return catalog!.Find(name) is { } schedule
            ? TypedResults.Ok(await catalog.SetPausedAsync(schedule, paused, cancellationToken))
            : UnknownSchedule(name, catalog);
    }

    private static async Task<IResult> TickAsync(string name, AssetProject project, ScheduleTicks ticks, AnalyticsSettings settings, HttpContext http,
        RunStoreQueries queries, CancellationToken cancellationToken)
    {
        var (catalog, problem) = Catalog(project, ticks, settings);
        if (problem is not null)
        {
            return problem;
        }

        if (catalog!.Find(name) is not { } schedule)
        {
            return UnknownSchedule(name, catalog);
        }

        Guid runId;
        try
        {
            runId = await catalog.TickAsync(schedule, $"api:{http.Connection.RemoteIpAddress}", cancellationToken);
        }
        catch (SelectionException e)
        {
            return Problems.Conflict($"Schedule '{name}' selects '{schedule.Selection}', which does not resolve: {e.Message} Fix schedules.yml.");
        }

        return TypedResults.Accepted($"/api/runs/{runId}", await queries.GetRunAsync(runId, cancellationToken));
    }

    private static IResult UnknownSchedule(string name, ScheduleCatalog catalog) => Results.Problem(
        $"No schedule is called '{Problems.Clip(name)}'.{Core.Graph.NameSuggestions.DidYouMean(name, catalog.Schedules.Select(s => s.Name))} "
        + "GET /api/schedules lists them; schedules.yml declares them.",
        statusCode: StatusCodes.Status404NotFound, title: "Unknown schedule");

    private static async Task<IResult> SensorsAsync(AnalyticsSettings settings, SensorFiles sensorFiles, CancellationToken cancellationToken)
    {
        var folder = AnalyticsEnvironment.LandingFolder(settings);
        var view = await sensorFiles.GetAsync(LandingSensor.Name, folder, 200, cancellationToken);
        return TypedResults.Ok(new List<SensorView> { view! });
    }

    private static async Task<IResult> AlertsAsync(string? status, string? limit, AnalyticsSettings settings,
        IConfiguration configuration, IOptions<AlertOptions> options, AlertStore alerts, CancellationToken cancellationToken)
    {
        if (status is not (null or "open" or "all"))
        {
            return Problems.BadRequest($"status={Problems.Clip(status)} is not a filter; use status=open, or status=all (the default).");
        }

        if (!RunsApi.TryParseRange(limit, "limit", 100, 1, MaxAlerts, out var count, out var problem))
        {
            return problem!;
        }

        IReadOnlyList<AlertRule> rules;
        try
        {
            rules = AlertFile.Load(AnalyticsEnvironment.AssetsFolder(settings));
        }
        catch (AssetDeclarationException e)
        {
            return Problems.Conflict($"alerts.yml cannot be read: {e.Message}");
        }

        var channels = AlertChannelSet.ConfiguredNames(configuration, options.Value);
        var incidents = await alerts.ListAsync(status == "open", count, cancellationToken);
        return TypedResults.Ok(new AlertsView(
            rules.Select(r => new AlertRuleView(r.Name, WireName(r.Kind), r.Description)).ToList(), channels, incidents));
    }

    private static string WireName(AlertKind kind) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}

public sealed record AlertRuleView(string Name, string Kind, string Description);

public sealed record AlertsView(IReadOnlyList<AlertRuleView> Rules, IReadOnlyList<string> Channels, IReadOnlyList<AlertIncidentView> Incidents);
