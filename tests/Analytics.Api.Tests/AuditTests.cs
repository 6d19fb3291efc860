using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Cli;
using Analytics.Core.Access;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>
/// The audit log: every write, every read of warehouse rows and every refused request is recorded with its principal
/// (never its key), action, target, outcome, client and request id; the log is append-only and a hash chain, so an
/// edit made past its trigger is found by 'analytics audit verify'; admins page and filter it.
/// </summary>
public sealed class AuditTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _db;
    private readonly ApiHost _api;
    private readonly string _assets;

    public AuditTests(DatabaseFixture db)
    {
        _db = db;
        _assets = TestFiles.Assets(new()
        {
            ["marts/numbers.sql"] = "select n from generate_series(1, 3) n",
        });
        _api = new ApiHost(db.ConnectionString, _assets);
    }

    public void Dispose() => _api.Dispose();

    private async Task<List<JsonElement>> LogAsync(string query = "")
    {
        var answer = await _api.Client().GetAsync("/api/audit?page_size=500" + query);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        return (await answer.JsonAsync()).GetProperty("entries").EnumerateArray().ToList();
    }

    [Fact]
    public async Task Writes_data_reads_and_refusals_are_recorded_with_who_what_and_how_it_ended_and_never_the_key()
    {
        var viewer = (await new ApiKeyStore(_db.DataSource).CreateAsync("audit-viewer", Role.Viewer, null, null, "test", CancellationToken.None)).Key;
        var queued = await _api.Client().PostAsync("/api/runs", new StringContent("""{"selection": "numbers"}""", Encoding.UTF8, "application/json"));
        await _api.Client().WaitForRunAsync((await queued.JsonAsync()).GetProperty("run_id").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await _api.ClientAs(viewer).GetAsync("/api/marts/numbers/rows")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.ClientAs(null).GetAsync("/api/assets/numbers/preview")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _api.ClientAs(null).GetAsync("/api/assets")).StatusCode);
        var refused = await _api.ClientAs(viewer).PostAsync("/api/runs", new StringContent("""{"selection": "numbers"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var withForwarding = _api.ClientAs(null);
        withForwarding.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.7, 10.0.0.1");
        Assert.Equal(HttpStatusCode.Unauthorized, (await withForwarding.PostAsync("/api/runs", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);

        var log = await LogAsync();
        string Line(JsonElement e) => $"{e.GetProperty("principal").GetString()} {e.GetProperty("action").GetString()} {e.GetProperty("target").GetString()} {e.GetProperty("outcome").GetInt32()}";
        var lines = log.Select(Line).ToList();
        Assert.Contains("api-key (Analytics__ApiKey) QueueRun /api/runs 202", lines);
        Assert.Contains("audit-viewer GetMartRows /api/marts/numbers/rows 200", lines);
        Assert.Contains("anonymous PreviewAsset /api/assets/numbers/preview 200", lines);
        Assert.Contains("audit-viewer QueueRun /api/runs 403", lines);
        Assert.Contains("anonymous QueueRun /api/runs 401", lines);
        // A read of the catalog is not a read of warehouse rows, and is not recorded.
        Assert.DoesNotContain(lines, l => l.Contains(" ListAssets ", StringComparison.Ordinal));
        var unauthorized = log.First(e => Line(e) == "anonymous QueueRun /api/runs 401");
        Assert.Equal("203.0.113.7", unauthorized.GetProperty("client").GetString());
        Assert.Equal(32, unauthorized.GetProperty("request_id").GetString()!.Length);
        // Newest first, and no key in any field.
        Assert.Equal(log.Select(e => e.GetProperty("seq").GetInt64()).OrderDescending(), log.Select(e => e.GetProperty("seq").GetInt64()));
        var text = JsonSerializer.Serialize(log);
        Assert.DoesNotContain(viewer, text);
        Assert.DoesNotContain(ApiHost.ApiKey, text);

        var refusals = await LogAsync("&refused=true");
        Assert.All(refusals, e => Assert.Contains(e.GetProperty("outcome").GetInt32(), new[] { 401, 403 }));
        Assert.Equal(2, refusals.Count(e => Line(e).Contains("QueueRun", StringComparison.Ordinal)));
        Assert.All(await LogAsync("&principal=audit-viewer"), e => Assert.Equal("audit-viewer", e.GetProperty("principal").GetString()));
    }

    [Fact]
    public async Task Only_admins_read_the_log_and_its_paging_is_bounded()
    {
        var viewer = (await new ApiKeyStore(_db.DataSource).CreateAsync("audit-reader", Role.Operator, null, null, "test", CancellationToken.None)).Key;
        Assert.Equal(HttpStatusCode.Forbidden, (await _api.ClientAs(viewer).GetAsync("/api/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.ClientAs(null).GetAsync("/api/audit")).StatusCode);
        foreach (var bad in new[] { "page=0", "page_size=501", "page=abc", "refused=maybe", "principal=" + new string('x', 201) })
        {
            var answer = await _api.Client().GetAsync("/api/audit?" + bad);
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, bad);
        }

        var first = await (await _api.Client().GetAsync("/api/audit?page_size=1")).JsonAsync();
        Assert.Single(first.GetProperty("entries").EnumerateArray());
        Assert.True(first.GetProperty("total").GetInt64() >= 2);
        var far = await (await _api.Client().GetAsync("/api/audit?page=100000&page_size=500")).JsonAsync();
        Assert.Empty(far.GetProperty("entries").EnumerateArray());
        Assert.Equal(first.GetProperty("total").GetInt64() + 1, far.GetProperty("total").GetInt64()); // the first read is in it now
    }

    [Fact]
    public async Task The_chain_finds_an_edit_made_past_the_trigger_and_the_cli_reports_the_broken_record()
    {
        var store = new AuditStore(_db.DataSource);
        await store.AppendAsync([new("alice", "QueueRun", "/api/runs", 202, "127.0.0.1", "r1"), new("bob", "RevokeKey", "/api/keys/x/revoke", 200, null, null)], default);
        await store.AppendAsync([new("carol", "PreviewAsset", "/api/assets/numbers/preview", 200, null, "r3")], default);
        var settings = new AnalyticsSettings(_db.ConnectionString, null, null, _assets);
        var intact = new StringWriter();
        Assert.Equal(CliApp.Ok, await CliApp.RunAsync(["audit", "verify"], intact, intact, settings));
        Assert.Contains("audit log intact", intact.ToString());

        // The table refuses edits and deletions outright.
        var refusal = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _db.ExecuteAsync("update runstore.audit_log set principal = 'mallory' where principal = 'bob'"));
        Assert.Contains("append-only", refusal.MessageText);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => _db.ExecuteAsync("delete from runstore.audit_log where principal = 'alice'"));

        // Past the trigger (a superuser can disable it), an edit still shows: the record no longer hashes to what it holds.
        await _db.ExecuteAsync("set session_replication_role = replica; update runstore.audit_log set outcome = 403 where principal = 'bob'; set session_replication_role = origin");
        var bob = await _db.ScalarAsync<long>("select seq from runstore.audit_log where principal = 'bob'");
        var verdict = await store.VerifyAsync(default);
        Assert.Equal(bob, verdict.BrokenAt);
        Assert.Contains("content was changed", verdict.Problem);
        var broken = new StringWriter();
        Assert.Equal(CliApp.RunFailed, await CliApp.RunAsync(["audit", "verify"], broken, broken, settings));
        Assert.Contains($"audit log broken at record {bob}", broken.ToString());

        // Put back, then a record removed: its successor no longer follows what precedes it.
        await _db.ExecuteAsync("set session_replication_role = replica; update runstore.audit_log set outcome = 200 where principal = 'bob'; set session_replication_role = origin");
        Assert.True((await store.VerifyAsync(default)).Intact);
        await _db.ExecuteAsync("set session_replication_role = replica; delete from runstore.audit_log where principal = 'bob'; set session_replication_role = origin");
        var removed = await store.VerifyAsync(default);
        Assert.Equal(await _db.ScalarAsync<long>("select seq from runstore.audit_log where principal = 'carol'"), removed.BrokenAt);
        Assert.Contains("does not follow", removed.Problem);
    }

    [Fact]
    public async Task A_key_made_or_revoked_from_the_command_line_is_recorded_too()
    {
        var settings = new AnalyticsSettings(_db.ConnectionString, null, null, _assets);
        var output = new StringWriter();
        Assert.Equal(CliApp.Ok, await CliApp.RunAsync(["keys", "create", "--name", "cli-made", "--role", "viewer"], output, output, settings));
        var id = output.ToString().Split(' ')[1];
        Assert.Equal(CliApp.Ok, await CliApp.RunAsync(["keys", "revoke", id], output, output, settings));

        var log = await LogAsync();
        Assert.Contains(log, e => e.GetProperty("action").GetString() == "CreateKey" && e.GetProperty("target").GetString() == $"/api/keys/{id}"
                                  && e.GetProperty("principal").GetString()!.StartsWith("cli:", StringComparison.Ordinal) && e.GetProperty("outcome").GetInt32() == 201);
        Assert.Contains(log, e => e.GetProperty("action").GetString() == "RevokeKey" && e.GetProperty("outcome").GetInt32() == 200);
    }
}
