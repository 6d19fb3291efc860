using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Api.Extensions;
using Analytics.Core.Access;
using Analytics.RunStore;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary>
/// Column-level security: columns an asset header classifies come back masked (a keyed hash, stable, so counts,
/// groups and filters still work) to whoever lacks the pii permission, in previews and mart rows alike; an admin or a
/// key granted pii reads them in the clear; a classification naming a column the table lacks fails the build.
/// </summary>
public sealed class ColumnSecurityTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _db;
    private readonly ApiHost _api;

    public ColumnSecurityTests(DatabaseFixture db)
    {
        _db = db;
        var assets = TestFiles.Assets(new()
        {
            ["staging/people.sql"] = """
                /*
                classification: {email: pii}
                */
                select * from (values ('a@x.org', 'TH', 3), ('b@x.org', 'TH', 5), ('c@x.org', 'VN', 7), (null, 'VN', 1)) as p(email, country, visits)
                """,
            ["marts/visits_by_person.sql"] = """
                /*
                classification: {email: pii}
                */
                select email, country, visits from {{ ref('people') }}
                """,
            ["marts/misnamed.sql"] = """
                /*
                classification: {usr_id: pii}
                */
                select 'u_1' as user_id
                """,
        });
        _api = new ApiHost(db.ConnectionString, assets);
    }

    public void Dispose() => _api.Dispose();

    private HttpClient As(string? key) => _api.ClientAs(key);

    private async Task<JsonElement> RunAsync(string selection)
    {
        var client = _api.Client();
        var queued = await client.PostAsync("/api/runs", new StringContent($$"""{"selection": "{{selection}}"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        return await client.WaitForRunAsync((await queued.JsonAsync()).GetProperty("run_id").GetString()!);
    }

    private async Task<string> KeyAsync(string name, Role role, bool pii) =>
        (await new ApiKeyStore(_db.DataSource).CreateAsync(name, role, null, null, "test", CancellationToken.None, pii)).Key;

    private async Task<string> MaskAsync(string value) => ReadScope.Mask(await new SecretStore(_db.DataSource).GetAsync(SecretStore.MaskKey), value);

    private static List<string?> Column(JsonElement table, string name)
    {
        var index = table.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList().IndexOf(name);
        return table.GetProperty("rows").EnumerateArray().Select(r => r[index].ValueKind == JsonValueKind.Null ? null : r[index].ToString()).ToList();
    }

    [Fact]
    public async Task Classified_columns_come_back_masked_to_readers_without_pii_and_in_the_clear_to_those_with_it()
    {
        Assert.Equal("succeeded", (await RunAsync("+visits_by_person")).GetProperty("status").GetString());
        var clear = new[] { "a@x.org", "b@x.org", "c@x.org", null };
        var masked = new[] { await MaskAsync("a@x.org"), await MaskAsync("b@x.org"), await MaskAsync("c@x.org"), null };

        var viewer = await KeyAsync("cs-viewer", Role.Viewer, pii: false);
        var analyst = await KeyAsync("cs-analyst", Role.Viewer, pii: true);
        var operatorKey = await KeyAsync("cs-operator", Role.Operator, pii: false);
        foreach (var (key, expected) in new (string?, string?[])[]
                 { (null, masked), (viewer, masked), (operatorKey, masked), (analyst, clear), (ApiHost.ApiKey, clear) })
        {
            var preview = await (await As(key).GetAsync("/api/assets/people/preview")).JsonAsync();
            Assert.Equal(expected.Order(), Column(preview, "email").Order());
            Assert.Equal(["TH", "TH", "VN", "VN"], Column(preview, "country").Order());
            Assert.Equal(expected == masked ? ["email"] : [], preview.GetProperty("masked").EnumerateArray().Select(e => e.GetString()));

            var rows = await (await As(key).GetAsync("/api/marts/visits_by_person/rows?order=visits")).JsonAsync();
            // Visits 1, 3, 5, 7 belong to null, a, b, c.
            Assert.Equal([expected[3], expected[0], expected[1], expected[2]], Column(rows, "email"));
            if (expected == masked)
            {
                Assert.Equal("text", rows.GetProperty("columns")[0].GetProperty("type").GetString());
            }
        }

        // A key sent on a public read is checked: a wrong one is refused, not read as anonymous.
        Assert.Equal(HttpStatusCode.Unauthorized, (await As("ak_000000000000_" + new string('x', 43)).GetAsync("/api/assets/people/preview")).StatusCode);

        var detail = await (await As(null).GetAsync("/api/assets/people")).JsonAsync();
        Assert.Equal("pii", detail.GetProperty("classification").GetProperty("email").GetString());
    }

    [Fact]
    public async Task A_masked_value_is_stable_so_groups_filters_and_order_work_on_it()
    {
        Assert.Equal("succeeded", (await RunAsync("+visits_by_person")).GetProperty("status").GetString());
        var anonymous = As(null);

        // Filtering by the masked value finds the row; the raw value finds nothing and so says nothing.
        var byMask = await (await anonymous.GetAsync($"/api/marts/visits_by_person/rows?filter=email:eq:{Uri.EscapeDataString(await MaskAsync("b@x.org"))}")).JsonAsync();
        Assert.Equal(["5"], Column(byMask, "visits"));
        var byValue = await (await anonymous.GetAsync("/api/marts/visits_by_person/rows?filter=email:eq:b%40x.org")).JsonAsync();
        Assert.Equal(0, byValue.GetProperty("total").GetInt64());

        // Groups count the same people as in the clear, under the same masked values as the preview shows.
        var grouped = await (await anonymous.GetAsync("/api/marts/visits_by_person/rows?group_by=email&order=email")).JsonAsync();
        var preview = await (await anonymous.GetAsync("/api/assets/people/preview")).JsonAsync();
        Assert.Equal(4, grouped.GetProperty("total").GetInt64());
        Assert.Equal(Column(preview, "email").Order(StringComparer.Ordinal), Column(grouped, "email").Order(StringComparer.Ordinal));
        // Ordered by the masked values themselves, so the order says nothing of the emails'.
        var order = Column(grouped, "email").Where(e => e is not null).ToList();
        Assert.Equal(order.Order(StringComparer.Ordinal), order);
    }

    [Fact]
    public async Task A_classification_naming_a_column_the_table_lacks_fails_the_build_and_says_which()
    {
        var run = await RunAsync("misnamed");

        Assert.Equal("failed", run.GetProperty("status").GetString());
        Assert.Equal("check_failed", run.Status("misnamed"));
        var error = run.GetProperty("steps")[0].GetProperty("error").GetString()!;
        Assert.Contains("misnamed__classified_columns_exist", error);
        Assert.Contains("usr_id", error);
        Assert.Contains("classification", error);
    }
}
