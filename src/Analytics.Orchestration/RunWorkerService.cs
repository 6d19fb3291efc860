using Analytics.Core.Alerting;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Scheduling;
using Analytics.Ingest;
using Analytics.Orchestration.Alerting;
using Analytics.RunStore;
using Analytics.Warehouse.BigQuery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration;

/// <summary>
/// Hosts a <see cref="RunWorker"/>; when enabled, fires due schedule ticks, sweeps the landing folder, and evaluates
/// and sends alerts; prunes old run events once an hour. Each of those loops survives a run-store outage and a broken
/// project file by logging it: queued runs still execute.
/// </summary>
public sealed class RunWorkerService(AssetProject project, IWarehouse warehouse, RunWorker worker, AnalyticsSettings settings, IOptions<WorkerOptions> options,
    IServiceProvider provider, RunQueue queue, AlertStore alerts, RunStoreQueries queries, ScheduleTicks ticks, SensorFiles sensorFiles, PostgresAssetLocks locks,
    IHttpClientFactory httpClients, ILogger<RunWorkerService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Worker {Worker} taking queued runs", RunStoreRecorder.Worker);
        var pruning = PruneAsync(stoppingToken);
        var scheduling = options.Value.Schedules ? ScheduleAsync(stoppingToken) : Task.CompletedTask;
        var sensing = options.Value.Sensor ? SenseAsync(stoppingToken) : Task.CompletedTask;
        var alerting = options.Value.Alerts ? AlertAsync(stoppingToken) : Task.CompletedTask;
        var retaining = options.Value.Retention ? RetainAsync(stoppingToken) : Task.CompletedTask;
        await worker.RunAsync(stoppingToken);
        foreach (var loop in new[] { pruning, scheduling, sensing, alerting, retaining })
        {
            await loop.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task SenseAsync(CancellationToken stoppingToken)
    {
        var location = AnalyticsEnvironment.LandingFolder(settings);
        LandingSensor? sensor = null;
        logger.LogInformation("Worker {Worker} watching the landing zone {Folder}", RunStoreRecorder.Worker, location);
        await RepeatAsync("landing sensor", options.Value.SensorInterval, async token =>
        {
            // Made on the first sweep, inside the loop's error handling: a gs:// zone needs credentials or the emulator.
            sensor ??= new LandingSensor(project, provider.GetRequiredService<ISourceIngestor>(), sensorFiles, locks, queue, ILandingStore.For(location, provider.GetRequiredService<GcsClient>), logger);
            var sweep = await sensor.SweepAsync(token);
            foreach (var path in sweep.Refused)
            {
                logger.LogError("Landing file {Path} was refused whole; fix it and save it again (a changed file is read again)", path);
            }
        }, stoppingToken);
    }

    private async Task AlertAsync(CancellationToken stoppingToken)
    {
        var alertOptions = provider.GetRequiredService<IOptions<AlertOptions>>().Value;
        IReadOnlyList<AlertRule> rules;
        AlertChannelSet channels;
        // From the factory, so the channels' calls carry the standard resilience handler like every other client.
        using var http = httpClients.CreateClient(AlertChannelSet.HttpClientName);
        http.Timeout = alertOptions.SendTimeout;
        try
        {
            rules = AlertFile.Load(AnalyticsEnvironment.AssetsFolder(settings));
            foreach (var rule in rules.Where(r => r.Query is not null))
            {
                project.CompileQuery(rule.Query!, warehouse.Dialect);
            }

            channels = AlertChannelSet.FromConfiguration(provider.GetRequiredService<IConfiguration>(), alertOptions, http);
        }
        catch (Exception e) when (e is AssetDeclarationException or Core.Templating.TemplateException or ArgumentException)
        {
            logger.LogError("Alerts off: {Problem}", e.Message);
            return;
        }

        logger.LogInformation("Worker {Worker} evaluating {Count} alert rule(s), sending to {Channels}", RunStoreRecorder.Worker, rules.Count,
            channels.Names.Count == 0 ? "no channel (set SLACK_WEBHOOK_URL or Analytics__Alerts__Smtp__Host, From and To); incidents are still recorded"
                                      : string.Join(" and ", channels.Names));
        var evaluator = new AlertEvaluator(project, warehouse, alerts, queries, locks, rules, channels.Names, alertOptions.BaseUrl, TimeProvider.System, logger);
        var dispatcher = new AlertDispatcher(alerts, channels, alertOptions, logger);
        await RepeatAsync("alerts", alertOptions.Interval, async token =>
        {
            await evaluator.EvaluateAsync(token);
            await dispatcher.DispatchAsync(token);
        }, stoppingToken);
    }

    /// <summary>Runs <paramref name="work"/> every <paramref name="interval"/>; a run-store outage is logged and waited out.</summary>
    /// <summary>The sources' declared retention, hourly; one worker at a time (a session lock in the run store).</summary>
    private Task RetainAsync(CancellationToken stoppingToken) => RepeatAsync("retention", TimeSpan.FromHours(1), async token =>
    {
        var retention = provider.GetRequiredService<SourceRetention>();
        if (!retention.Sources.Any())
        {
            return;
        }

        await using var turn = await locks.TryAcquireAsync("retention:sources", token);
        if (turn is null)
        {
            return;
        }

        foreach (var outcome in await retention.ApplyAsync(DateTimeOffset.UtcNow, $"worker:{RunStoreRecorder.Worker}", dryRun: false, null, token))
        {
            if (outcome.Rows > 0)
            {
                logger.LogInformation("Retention deleted {Rows} row(s) of {Source} dated before {KeptFrom}; run {RunId} rebuilt what they fed",
                    outcome.Rows, outcome.Source, outcome.KeptFrom, outcome.RunId);
            }
        }
    }, stoppingToken);

    private async Task RepeatAsync(string what, TimeSpan interval, Func<CancellationToken, Task> work, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await work(stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Run store or warehouse unreachable ({Message}); {What} again in {Interval}", e.Message, what, interval);
            }
            catch (Core.Selection.SelectionException e)
            {
                logger.LogError("The {What} loop's selection does not resolve against these assets ({Problem})", what, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Anything else is a bug, not a reason for the loop to end silently: say it, and try again next time.
                logger.LogError(e, "The {What} loop failed; trying again in {Interval}", what, interval);
            }

            await Task.Delay(interval, stoppingToken);
        }
    }

    private async Task ScheduleAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<Schedule> schedules;
        try
        {
            schedules = ScheduleFile.Load(AnalyticsEnvironment.AssetsFolder(settings));
        }
        catch (Analytics.Core.Assets.AssetDeclarationException e)
        {
            // A broken schedules.yml stops the schedules, not the worker: queued runs still execute.
            logger.LogError("Schedules off: {Problem}", e.Message);
            return;
        }

        logger.LogInformation("Worker {Worker} firing {Count} schedule(s): {Names}", RunStoreRecorder.Worker, schedules.Count, string.Join(", ", schedules.Select(s => s.Name)));
        var evaluator = new ScheduleEvaluator(project, ticks, schedules, RunStoreRecorder.Worker, TimeProvider.System, logger);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await evaluator.EvaluateAsync(stoppingToken);
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Run store unreachable ({Message}); evaluating schedules again in {Interval}", e.Message, options.Value.ScheduleInterval);
            }
            catch (Analytics.Core.Selection.SelectionException e)
            {
                logger.LogError("A schedule's selection does not parse ({Problem}); fix schedules.yml", e.Message);
            }

            await Task.Delay(options.Value.ScheduleInterval, stoppingToken);
        }
    }

    private async Task PruneAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var pruned = await queue.PruneEventsAsync(options.Value.EventRetention, stoppingToken);
            if (pruned > 0)
            {
                logger.LogInformation("Pruned {Count} run events older than {Retention}", pruned, options.Value.EventRetention);
            }

            await Task.Delay(TimeSpan.FromHours(1), stoppingToken);
        }
    }
}
