using System.Net;
using System.Text;
using System.Text.Json;
using Analytics.Testing;

namespace Analytics.Api.Tests;

/// <summary><c>/api/marts/{key}/rows</c>: columns, filters, order and cap on a hand-written mart, and its cache.</summary>
public sealed class MartsApiTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly ApiHost _api;
    private readonly HttpClient _client;
    private readonly string _connectionString;
    private readonly string _assets;

    public MartsApiTests(DatabaseFixture db)
    {
        var assets = TestFiles.Assets(new()
        {
            ["staging/numbers.sql"] = "select n, (date '2025-01-01' + n) as day from generate_series(0, 9) n",
            ["marts/daily.sql"] = "select day as date, n * 10 as value, case when n % 2 = 0 then 'even' else 'odd' end as parity "
                                  + "from {{ ref('numbers') }}",
            ["marts/unbuilt.sql"] = "select 1 as x",
        });
        (_connectionString, _assets) = (db.ConnectionString, assets);
        _api = new ApiHost(db.ConnectionString, assets);
        _client = _api.Client();
    }

    public void Dispose() => _api.Dispose();

    private async Task BuildAsync()
    {
        var queued = await _client.PostAsync("/api/runs", new StringContent("""{"selection": "+daily"}""", Encoding.UTF8, "application/json"));
        var run = await _client.WaitForRunAsync((await queued.JsonAsync()).GetProperty("run_id").GetString()!);
        Assert.Equal("succeeded", run.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Rows_come_with_chosen_columns_filters_order_cap_and_the_total()
    {
        await BuildAsync();

        var answer = await (await _client.GetAsync(
            "/api/marts/daily/rows?columns=date,value&filter=parity:eq:even&filter=date:gte:2025-01-03&order=-date&limit=2")).JsonAsync();

        Assert.Equal(["date", "value"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        // Even n from 2 (2025-01-03) to 8: 2, 4, 6, 8; newest first, two of them.
        Assert.Equal(4, answer.GetProperty("total").GetInt64());
        Assert.True(answer.GetProperty("truncated").GetBoolean());
        var rows = answer.GetProperty("rows").EnumerateArray().Select(r => (r[0].GetString(), r[1].GetInt32())).ToList();
        Assert.Equal([("2025-01-09", 80), ("2025-01-07", 60)], rows);
    }

    [Fact]
    public async Task Group_by_counts_the_rows_of_each_distinct_value()
    {
        await BuildAsync();

        var answer = await (await _client.GetAsync("/api/marts/daily/rows?group_by=parity&filter=value:lt:50&order=-count")).JsonAsync();

        // n 0..4: even 0, 2, 4; odd 1, 3.
        Assert.Equal(["parity", "count"], answer.GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.Equal([("even", 3), ("odd", 2)], answer.GetProperty("rows").EnumerateArray().Select(r => (r[0].GetString(), r[1].GetInt32())));
        Assert.Equal(2, answer.GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("/api/marts/daily/rows?group_by=nope", HttpStatusCode.BadRequest, "has no column 'nope'")]
    [InlineData("/api/marts/numbers/rows", HttpStatusCode.NotFound, "charts read only the marts: ")]
    [InlineData("/api/marts/nope/rows", HttpStatusCode.NotFound, "No mart is called 'nope'")]
    [InlineData("/api/marts/daily/rows?columns=secret", HttpStatusCode.BadRequest, "has no column 'secret'")]
    [InlineData("/api/marts/daily/rows?filter=date:gte:someday", HttpStatusCode.BadRequest, "does not fit its column")]
    [InlineData("/api/marts/daily/rows?filter=value:eq:1e999999", HttpStatusCode.BadRequest, "does not fit its column")]
    [InlineData("/api/marts/daily/rows?filter=date:like:x", HttpStatusCode.BadRequest, "op one of eq, ne, lt, lte, gt, gte")]
    [InlineData("/api/marts/daily/rows?filter=date", HttpStatusCode.BadRequest, "is not column:op:value")]
    [InlineData("/api/marts/daily/rows?order=-", HttpStatusCode.BadRequest, "order names one column")]
    [InlineData("/api/marts/daily/rows?order=x%22;drop%20table%20x", HttpStatusCode.BadRequest, "has no column")]
    [InlineData("/api/marts/daily/rows?limit=50001", HttpStatusCode.BadRequest, "limit=50001 is not a whole number from 1 to 50,000")]
    [InlineData("/api/marts/daily/rows?group_by=value&order=date", HttpStatusCode.BadRequest, "order=date is not one of group_by's columns")]
    public async Task Bad_queries_are_problems_that_say_what_to_send(string url, HttpStatusCode status, string detail)
    {
        await BuildAsync();

        var response = await _client.GetAsync(url);

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(detail, (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_filter_value_holding_an_ampersand_is_its_own_query_in_the_cache_not_two_filters()
    {
        await BuildAsync();
        const string two = "/api/marts/daily/rows?filter=parity:eq:even&filter=date:gte:2025-01-03";

        var first = await (await _client.GetAsync(two)).JsonAsync();
        var one = await (await _client.GetAsync("/api/marts/daily/rows?filter=parity:eq:even%26date:gte:2025-01-03")).JsonAsync();
        var again = await (await _client.GetAsync(two)).JsonAsync();

        Assert.Equal(4, first.GetProperty("total").GetInt64());
        Assert.Equal(0, one.GetProperty("total").GetInt64()); // no parity is "even&date:gte:2025-01-03"
        Assert.Equal(4, again.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task For_random_queries_the_cached_answer_is_the_uncached_one_whatever_was_asked_before()
    {
        await BuildAsync();
        // Values that hold what a joined key would use as separators: '&', '|', ',', ':' and a whole second filter.
        string[] columns = ["date", "value", "parity"], ops = ["eq", "ne", "gte", "lt"], rests = ["", "&order=value", "&order=-date", "&columns=date,value", "&limit=3"];
        string[] values = ["even", "odd", "even&date:gte:2025-01-03", "even&filter=date:gte:2025-01-03", "2025-01-03", "2025-01-03|x", "30", "30,40", "a:b:c", "even|"];
        var random = new Random(25);
        var queries = Enumerable.Range(0, 60).Select(_ => "/api/marts/daily/rows?" + string.Join("&", Enumerable.Range(0, random.Next(0, 3))
                .Select(_ => "filter=" + Uri.EscapeDataString($"{columns[random.Next(columns.Length)]}:{ops[random.Next(ops.Length)]}:{values[random.Next(values.Length)]}")))
            + rests[random.Next(rests.Length)]).ToList();

        // One API answers them in order, each twice (the second from its cache); another, cold, in the reverse order.
        var warm = new List<(HttpStatusCode, string)>();
        foreach (var query in queries)
        {
            await _client.GetAsync(query);
            warm.Add(await AnswerAsync(_client, query));
        }

        using var other = new ApiHost(_connectionString, _assets);
        var cold = new Dictionary<string, (HttpStatusCode, string)>();
        foreach (var query in Enumerable.Reverse(queries))
        {
            cold[query] = await AnswerAsync(other.Client(), query);
        }

        Assert.Contains(warm, a => a.Item1 == HttpStatusCode.OK);
        Assert.All(queries.Select((q, i) => (q, i)), x => Assert.Equal(cold[x.q], warm[x.i]));

        static async Task<(HttpStatusCode, string)> AnswerAsync(HttpClient client, string query)
        {
            var response = await client.GetAsync(query);
            // A problem carries its own trace id; its status is what must agree.
            return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "");
        }
    }

    [Fact]
    public async Task Failing_statements_of_one_shape_do_not_break_the_next_valid_one()
    {
        await BuildAsync();

        foreach (var (bad, good) in new[] { ("value:lte:abc", "value:lte:50"), ("date:gte:someday", "date:gte:2025-01-05") })
        {
            for (var round = 0; round < 3; round++)
            {
                for (var i = 0; i < 6; i++)
                {
                    Assert.Equal(HttpStatusCode.BadRequest, (await _client.GetAsync($"/api/marts/daily/rows?filter={bad}&limit={777 + round}")).StatusCode);
                }

                var response = await _client.GetAsync($"/api/marts/daily/rows?filter={good}&limit={777 + round}");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.True((await response.JsonAsync()).GetProperty("total").GetInt64() > 0);
            }
        }
    }

    [Fact]
    public async Task Too_many_filters_are_refused_before_any_query()
    {
        var url = "/api/marts/daily/rows?" + string.Join("&", Enumerable.Repeat("filter=value:gt:1", 17));

        var response = await _client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_mart_never_built_is_409_and_a_rebuilt_mart_is_read_again()
    {
        var never = await _client.GetAsync("/api/marts/unbuilt/rows");
        Assert.Equal(HttpStatusCode.Conflict, never.StatusCode);

        await BuildAsync();
        var first = await (await _client.GetAsync("/api/marts/daily/rows?columns=value&order=-value&limit=1")).JsonAsync();
        await BuildAsync();
        var second = await (await _client.GetAsync("/api/marts/daily/rows?columns=value&order=-value&limit=1")).JsonAsync();

        Assert.Equal(90, first.GetProperty("rows")[0][0].GetInt32());
        Assert.Equal(90, second.GetProperty("rows")[0][0].GetInt32());
    }
}
