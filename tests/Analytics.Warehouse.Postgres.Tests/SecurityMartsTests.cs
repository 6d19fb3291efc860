using Analytics.Cli;
using Analytics.Core.Access;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// The security marts, built from the platform's own audit log and keys read as database sources (from the run store in
/// use), on a handful of records worked out by hand. The audit source's lag is set to nothing here, so records written
/// a moment ago are read.
/// </summary>
[Collection(InProcessCli.Collection)]
public sealed class SecurityMartsTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static string Assets()
    {
        var root = TestFiles.CopyAssets();
        foreach (var source in new[] { "raw_audit_log", "raw_api_keys" })
        {
            var path = Path.Combine(root, "raw", source + ".sql");
            File.WriteAllText(path, File.ReadAllText(path).Replace("lag: 1m", "lag: '0'"));
        }

        return root;
    }

    [Fact]
    public async Task Refusals_by_hour_access_by_endpoint_and_keys_unused_for_thirty_days_are_counted_from_the_audit_log_and_keys()
    {
        var audit = new AuditStore(db.DataSource);
        await audit.AppendAsync(
        [
            new AuditRecord("anonymous", "PreviewAsset", "/api/assets/dim_users/preview", 401, "10.0.0.1", null),
            new AuditRecord("anonymous", "PreviewAsset", "/api/assets/dim_users/preview", 401, "10.0.0.1", null),
            new AuditRecord("anonymous", "QueueRun", "/api/runs", 401, "10.0.0.1", null),
            new AuditRecord("viewer-1", "QueueRun", "/api/runs", 403, "10.0.0.2", null),
            new AuditRecord("ops-1", "QueueRun", "/api/runs", 202, "10.0.0.3", null),
            new AuditRecord("ops-1", "QueueRun", "/api/runs", 202, "10.0.0.3", null),
            new AuditRecord("ops-1", "GetMartRows", "/api/marts/growth_metrics/rows", 500, "10.0.0.3", null),
        ], default);
        var keys = new ApiKeyStore(db.DataSource);
        var idle = await keys.CreateAsync("idle-key", Role.Viewer, null, null, "test", default);
        var used = await keys.CreateAsync("used-key", Role.Operator, null, null, "test", default);
        var fresh = await keys.CreateAsync("fresh-key", Role.Viewer, null, null, "test", default);
        var revoked = await keys.CreateAsync("revoked-key", Role.Viewer, null, null, "test", default);
        await db.ExecuteAsync($"""
            update runstore.api_keys set created_at = now() - interval '40 days' where key_id in ('{idle.View.KeyId}', '{used.View.KeyId}', '{revoked.View.KeyId}');
            update runstore.api_keys set last_used_at = now() - interval '2 days' where key_id = '{used.View.KeyId}';
            update runstore.api_keys set revoked_at = now() - interval '1 day' where key_id = '{revoked.View.KeyId}';
            """);
        var output = new StringWriter();

        var exit = await CliApp.RunAsync(["materialize", "+security_refused_by_hour", "+security_access_by_endpoint", "+security_unused_keys"], output, output,
            new AnalyticsSettings(db.ConnectionString, null, null, Assets()));

        Assert.True(exit == 0, output.ToString());
        Assert.Equal(7L, await db.ScalarAsync<long>("select count(*) from raw.raw_audit_log"));
        Assert.Equal(
            [["anonymous", 3L, 3L, 0L], ["viewer-1", 1L, 0L, 1L]],
            await db.RowsAsync("select principal, sum(refused)::bigint, sum(unauthenticated)::bigint, sum(forbidden)::bigint from marts.security_refused_by_hour group by principal order by principal"));
        Assert.Equal(
            [
                ["anonymous", "PreviewAsset", 2L, 2L, 0L],
                ["anonymous", "QueueRun", 1L, 1L, 0L],
                ["ops-1", "GetMartRows", 1L, 0L, 1L],
                ["ops-1", "QueueRun", 2L, 0L, 0L],
                ["viewer-1", "QueueRun", 1L, 1L, 0L],
            ],
            await db.RowsAsync("select principal, action, sum(requests)::bigint, sum(refused)::bigint, sum(failed)::bigint from marts.security_access_by_endpoint group by principal, action order by principal, action"));
        // Live and idle for 30 days or more: the idle key only (the used one was used 2 days ago, the fresh one is new, the revoked one is revoked).
        Assert.Equal([["idle-key", 40]], await db.RowsAsync("select name, days_unused from marts.security_unused_keys"));
        Assert.DoesNotContain(fresh.View.KeyId, await db.ScalarAsync<string>("select string_agg(key_id, ',') from marts.security_unused_keys") ?? "");
    }
}
