using System.Net.Http.Json;
using System.Text.Json;

namespace Analytics.Api.Tests;

internal static class ApiJson
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>())!;

    public static Task<HttpResponseMessage> PostRunAsync(this HttpClient client, string selection) =>
        client.PostAsJsonAsync("/api/runs", new { selection });

    /// <summary>Polls the run until it has finished; returns its JSON.</summary>
    public static async Task<JsonElement> WaitForRunAsync(this HttpClient client, string runId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var run = await (await client.GetAsync($"/api/runs/{runId}")).JsonAsync();
            if (run.GetProperty("status").GetString() is "succeeded" or "failed" or "canceled")
            {
                return run;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run {runId} still {run.GetProperty("status")}");
            }

            await Task.Delay(100);
        }
    }

    public static string Status(this JsonElement run, string assetKey) =>
        run.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("asset_key").GetString() == assetKey).GetProperty("status").GetString()!;
}
