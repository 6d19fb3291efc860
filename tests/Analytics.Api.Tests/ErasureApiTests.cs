using System.Net;
using System.Text;
using Analytics.Cli;
using Analytics.Core.Access;
using Analytics.Orchestration;
using Analytics.RunStore;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary><c>POST /api/erasures</c>: an admin erases a subject and gets the proof; nobody else may; a bad body is a 400 that says what to send.</summary>
public sealed class ErasureApiTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task An_admin_erases_a_subject_and_the_answer_is_the_proof()
    {
        var settings = new AnalyticsSettings(db.ConnectionString, null, null, TestFiles.RepositoryAssets);
        var output = new StringWriter();
        Assert.Equal(0, await CliApp.RunAsync(["ingest", TestFiles.Csv(TestFiles.Header,
            "2025-01-01 09:00:00,leaving,miles_earned,dining,10,ios,google,SG", "2025-01-02 09:00:00,staying,like,,,web,organic,TH")], output, output, settings));
        Assert.True(await CliApp.RunAsync(["materialize", "*"], output, output, settings) == 0, output.ToString());
        using var api = new ApiHost(db.ConnectionString, TestFiles.RepositoryAssets, inProcessWorker: false);
        var viewer = (await new ApiKeyStore(db.DataSource).CreateAsync("erasure-viewer", Role.Operator, null, null, "test", CancellationToken.None)).Key;

        Assert.Equal(HttpStatusCode.Forbidden, (await api.ClientAs(viewer).PostAsync("/api/erasures", Json("""{"user_id": "leaving"}"""))).StatusCode);
        foreach (var bad in new[] { "{}", """{"user_id": "leaving", "why": "asked"}""", """{"user_id": " leaving "}""", "[1]" })
        {
            var refused = await api.Client().PostAsync("/api/erasures", Json(bad));
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, bad);
        }

        var answer = await api.Client().PostAsync("/api/erasures", Json("""{"user_id": "leaving"}"""));
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var erasure = await answer.JsonAsync();
        Assert.Equal("complete", erasure.GetProperty("status").GetString());
        Assert.Equal("[]", erasure.GetProperty("found").GetRawText());
        Assert.DoesNotContain("leaving", erasure.GetRawText());

        var users = await (await api.Client().GetAsync("/api/assets/dim_users/preview")).JsonAsync();
        Assert.Equal(["staying"], users.GetProperty("rows").EnumerateArray().Select(r => r[0].GetString()));
        var listed = await (await api.Client().GetAsync("/api/erasures")).JsonAsync();
        Assert.Equal(erasure.GetProperty("erasure_id").GetString(), listed[0].GetProperty("erasure_id").GetString());
    }
}
