using Analytics.Core.Alerting;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.Orchestration.Alerting;
using Analytics.RunStore;
using Analytics.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Analytics.Orchestration.Tests;

/// <summary>Alert rules against a real run store and warehouse, delivered to a local webhook and a local SMTP server.</summary>
public class AlertTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private ServiceProvider Services(Dictionary<string, string> files) => TestServices.Create(db.DataSource, TestFiles.Assets(files));

    private static async Task<RunResult> RunAsync(IServiceProvider services, string selection)
    {
        var keys = Core.Selection.SelectionParser.Parse(selection).ResolveOrdered(services.GetRequiredService<AssetProject>().Graph);
        return await services.GetRequiredService<RunExecutorFactory>().Create(RunKind.Materialize, selection, "test", 2)
            .RunAsync(Guid.NewGuid(), keys, false, CancellationToken.None);
    }

    private static AlertEvaluator Evaluator(IServiceProvider services, IReadOnlyList<AlertRule> rules, IReadOnlyList<string> channels, string? baseUrl,
        TimeProvider clock, ILogger logger) =>
        new(services.GetRequiredService<AssetProject>(), services.GetRequiredService<IWarehouse>(), services.GetRequiredService<AlertStore>(),
            services.GetRequiredService<RunStoreQueries>(), services.GetRequiredService<PostgresAssetLocks>(), rules, channels, baseUrl, clock, logger);

    private static IReadOnlyList<AlertRule> Rules(string yaml) => AlertFile.Parse("alerts.yml", yaml);

    private static AlertOptions Options(SmtpReceiver smtp) => new()
    {
        BaseUrl = "http://analytics.test",
        SendTimeout = TimeSpan.FromSeconds(5),
        Smtp = new SmtpOptions
        {
            Host = "127.0.0.1",
            Port = smtp.Port,
            From = "analytics@test",
            To = "oncall@test, data@test",
            Security = "none",
            Username = null,
            Password = "smtp-password-never-logged"
        },
    };

    [Fact]
    public async Task A_broken_asset_sends_one_slack_message_and_one_email_then_one_of_each_when_resolved()
    {
        await using var webhook = new WebhookReceiver();
        await using var smtp = new SmtpReceiver();
        using var http = new HttpClient();
        var options = Options(smtp);
        var channels = new AlertChannelSet([new SlackChannel(http, new Uri(webhook.Url)), new EmailChannel(options.Smtp, options.SendTimeout)],
            [webhook.Url, options.Smtp.Password]);
        var rules = Rules("alerts:\n  - {name: run_failed, kind: run_failed}\n  - {name: blocking_check_failed, kind: check_failed}");
        var broken = Services(new() { ["alerting/source_a.sql"] = "select 1 as x", ["alerting/broken_a.sql"] = "select 1 / (x - 1) as y from {{ ref('source_a') }}" });
        var dispatcher = new AlertDispatcher(new AlertStore(db.DataSource), channels, options, NullLogger.Instance);

        var failed = await RunAsync(broken, "+broken_a");
        Assert.False(failed.Succeeded);
        var evaluator = Evaluator(broken, rules, channels.Names, options.BaseUrl, TimeProvider.System, NullLogger.Instance);
        Assert.Equal((1, 0), await evaluator.EvaluateAsync(CancellationToken.None));
        // The same failure found again, and a second failed run of the same selection, are the same incident: nothing new.
        await RunAsync(broken, "+broken_a");
        Assert.Equal((0, 0), await evaluator.EvaluateAsync(CancellationToken.None));
        Assert.Equal(2, await dispatcher.DispatchAsync(CancellationToken.None));

        var slack = Text(Assert.Single(webhook.Bodies));
        Assert.Contains("run_failed", slack);
        Assert.Contains("selection '+broken_a'", slack);
        Assert.Contains("broken_a", slack);
        Assert.Contains($"http://analytics.test/runs/{failed.RunId}", slack);
        var mail = Assert.Single(smtp.Messages);
        Assert.Equal(["<oncall@test>", "<data@test>"], mail.To);
        Assert.Contains("Subject: [analytics] run_failed: selection '+broken_a'", mail.Data);
        Assert.Contains("division by zero", mail.Data);
        Assert.Equal(0, await dispatcher.DispatchAsync(CancellationToken.None));

        var fixedAssets = Services(new() { ["alerting/source_a.sql"] = "select 1 as x", ["alerting/broken_a.sql"] = "select x as y from {{ ref('source_a') }}" });
        Assert.True((await RunAsync(fixedAssets, "+broken_a")).Succeeded);
        Assert.Equal((0, 1), await Evaluator(fixedAssets, rules, channels.Names, options.BaseUrl, TimeProvider.System, NullLogger.Instance)
            .EvaluateAsync(CancellationToken.None));
        Assert.Equal(2, await dispatcher.DispatchAsync(CancellationToken.None));
        Assert.Contains("RESOLVED run_failed: selection '+broken_a'", Text(webhook.Bodies[1]));
        Assert.Contains("RESOLVED run_failed", smtp.Messages[1].Data);

        var history = await new AlertStore(db.DataSource).ListAsync(openOnly: false, 50, CancellationToken.None);
        var incident = Assert.Single(history, i => i.Subject == "selection '+broken_a'");
        Assert.Equal("resolved", incident.Status);
        Assert.Equal(["opened/sent", "opened/sent", "resolved/sent", "resolved/sent"], incident.Deliveries.Select(d => $"{d.Kind}/{d.Status}"));
    }

    [Fact]
    public async Task A_dead_webhook_is_retried_with_backoff_and_never_logs_its_secret_url_while_email_still_goes()
    {
        await using var webhook = new WebhookReceiver { Failing = true };
        await using var smtp = new SmtpReceiver();
        using var http = new HttpClient();
        var options = Options(smtp);
        var channels = new AlertChannelSet([new SlackChannel(http, new Uri(webhook.Url)), new EmailChannel(options.Smtp, options.SendTimeout)],
            [webhook.Url, new Uri(webhook.Url).PathAndQuery, options.Smtp.Password]);
        var services = Services(new() { ["alerting/broken_b.sql"] = "select 1 / 0 as y" });
        var logger = new ListLogger();

        var run = await RunAsync(services, "broken_b");
        Assert.Equal(RunStatus.Failed, run.Status);
        await Evaluator(services, Rules("alerts:\n  - {name: run_failed, kind: run_failed}"), channels.Names, null, TimeProvider.System, logger)
            .EvaluateAsync(CancellationToken.None);
        Assert.Equal(1, await new AlertDispatcher(new AlertStore(db.DataSource), channels, options, logger).DispatchAsync(CancellationToken.None));

        Assert.Empty(webhook.Bodies);
        Assert.Contains(smtp.Messages, m => m.Data.Contains("selection 'broken_b'", StringComparison.Ordinal));
        var slack = (await db.RowsAsync("""
            select d.status, d.attempts, d.last_error, d.next_attempt_at > now() + interval '3 seconds'
            from runstore.alert_deliveries d join runstore.alert_incidents i using (incident_id)
            where i.subject = 'selection ''broken_b''' and d.channel = 'slack'
            """)).Single();
        Assert.Equal("pending", slack[0]);
        Assert.Equal(1, slack[1]);
        Assert.Contains("500", (string)slack[2]!);
        Assert.True((bool)slack[3]!, "the retry waits for its backoff");
        Assert.Contains(logger.Lines, l => l.Contains("to slack failed, attempt 1 of 8", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Contains(webhook.Secret, StringComparison.Ordinal) || l.Contains("smtp-password", StringComparison.Ordinal));
        Assert.DoesNotContain(webhook.Secret, (string)slack[2]!);
    }

    [Fact]
    public async Task Sending_to_a_mail_server_that_is_not_there_fails_the_message_not_the_dispatcher()
    {
        var options = new AlertOptions
        {
            SendTimeout = TimeSpan.FromSeconds(2),
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = ClosedPort(), From = "a@test", To = "b@test", Security = "none" },
        };
        var channels = new AlertChannelSet([new EmailChannel(options.Smtp, options.SendTimeout)], []);
        var services = Services(new() { ["alerting/broken_c.sql"] = "select 1 / 0 as y" });
        await RunAsync(services, "broken_c");
        await Evaluator(services, Rules("alerts:\n  - {name: run_failed, kind: run_failed}"), channels.Names, null, TimeProvider.System, NullLogger.Instance)
            .EvaluateAsync(CancellationToken.None);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(0, await new AlertDispatcher(new AlertStore(db.DataSource), channels, options, NullLogger.Instance).DispatchAsync(CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"a dead server costs at most the send timeout per message, took {clock.Elapsed}");
        Assert.True(await db.ScalarAsync<long>("select count(*) from runstore.alert_deliveries where channel = 'email' and attempts = 1 and last_error is not null") >= 1);
    }

    [Fact]
    public async Task Metric_rules_fire_on_rows_resolve_on_none_and_wait_while_their_mart_is_not_built()
    {
        var rules = Rules("""
            alerts:
              - name: low_dau
                kind: metric
                description: DAU below 200
                sql: "select dau from {{ ref('daily_d') }} where dau < 200"
            """);
        var low = Services(new() { ["marts/daily_d.sql"] = "select 100 as dau" });
        var evaluator = Evaluator(low, rules, ["slack"], null, TimeProvider.System, NullLogger.Instance);

        // Not built yet: no evidence either way, so no incident opens (and none would resolve).
        Assert.Equal((0, 0), await evaluator.EvaluateAsync(CancellationToken.None));
        await RunAsync(low, "daily_d");
        Assert.Equal((1, 0), await evaluator.EvaluateAsync(CancellationToken.None));
        var incident = (await new AlertStore(db.DataSource).ListAsync(true, 50, CancellationToken.None)).Single(i => i.Rule == "low_dau");
        Assert.Equal("DAU below 200: dau=100", incident.Summary);
        Assert.Equal("/dashboards", incident.Link);

        var high = Services(new() { ["marts/daily_d.sql"] = "select 300 as dau" });
        await RunAsync(high, "daily_d");
        Assert.Equal((0, 1), await evaluator.EvaluateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_shipped_metric_rules_fire_on_hand_made_marts_that_breach_them_and_only_then()
    {
        var services = TestServices.Create(db.DataSource, TestFiles.RepositoryAssets);
        var rules = AlertFile.Load(TestFiles.RepositoryAssets).Where(r => r.Kind == AlertKind.Metric).ToList();
        // Seven days of DAU 100, then 69 (below 0.7 x 100) on the latest day; the latest week shrinking (0.5), the
        // latest month growing.
        await db.ExecuteAsync("""
            create schema if not exists marts;
            drop table if exists marts.growth_metrics, marts.quick_ratio_analysis;
            create table marts.growth_metrics as
                select d::date as date, case when d = date '2025-01-08' then 69 else 100 end as dau
                from generate_series(date '2025-01-01', date '2025-01-08', interval '1 day') d;
            create table marts.quick_ratio_analysis (grain text, period_start date, quick_ratio numeric, growth_signal text);
            insert into marts.quick_ratio_analysis values
                ('week', '2024-12-30', 0.4, 'shrinking'), ('week', '2025-01-06', 0.5, 'shrinking'),
                ('month', '2024-12-01', 0.5, 'shrinking'), ('month', '2025-01-01', 2, 'growing');
            """);
        var evaluator = Evaluator(services, rules, [], null, TimeProvider.System, NullLogger.Instance);

        Assert.Equal((2, 0), await evaluator.EvaluateAsync(CancellationToken.None));
        var open = (await new AlertStore(db.DataSource).ListAsync(true, 50, CancellationToken.None))
            .Where(i => i.Rule is "dau_drop" or "growth_shrinking").ToDictionary(i => i.Rule);
        Assert.Equal("DAU fell more than 30 % below its trailing 7-day average: date=2025-01-08, dau=69, trailing_7_day_average=100.0",
            open["dau_drop"].Summary);
        Assert.Contains("grain=week, period_start=2025-01-06, quick_ratio=0.50, growth_signal=shrinking", open["growth_shrinking"].Summary);
        Assert.DoesNotContain("more row", open["growth_shrinking"].Summary);

        // 70 is exactly 0.7 x 100: not more than 30 % below. The latest week growing again: both resolve.
        await db.ExecuteAsync("""
            update marts.growth_metrics set dau = 70 where date = '2025-01-08';
            update marts.quick_ratio_analysis set quick_ratio = 1.5, growth_signal = 'growing' where period_start = '2025-01-06';
            """);
        Assert.Equal((0, 2), await evaluator.EvaluateAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Freshness_breaches_open_when_an_asset_outlives_its_max_age_and_resolve_when_it_is_rebuilt()
    {
        var services = Services(new() { ["marts/fresh_f.sql"] = "/*\nfreshness: {max_age: 30m}\n*/\nselect 1 as x" });
        var clock = new ManualClock();
        var evaluator = Evaluator(services, Rules("alerts:\n  - {name: freshness_sla, kind: freshness}"), [], null, clock, NullLogger.Instance);
        await RunAsync(services, "fresh_f");

        clock.Now = DateTimeOffset.UtcNow.AddMinutes(29);
        Assert.Equal((0, 0), await evaluator.EvaluateAsync(CancellationToken.None));
        clock.Now = DateTimeOffset.UtcNow.AddMinutes(31);
        Assert.Equal((1, 0), await evaluator.EvaluateAsync(CancellationToken.None));
        var incident = (await new AlertStore(db.DataSource).ListAsync(true, 50, CancellationToken.None)).Single(i => i.Rule == "freshness_sla");
        Assert.Equal("fresh_f", incident.Subject);
        Assert.Contains("more than its max_age of 30m ago", incident.Summary);

        clock.Now = DateTimeOffset.UtcNow;
        Assert.Equal((0, 1), await evaluator.EvaluateAsync(CancellationToken.None));
    }

    /// <summary>The message of a Slack webhook body: <c>{"text": "..."}</c>.</summary>
    private static string Text(string body) => System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("text").GetString()!;

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
