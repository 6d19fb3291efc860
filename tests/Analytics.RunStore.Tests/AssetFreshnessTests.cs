using Analytics.Core.Assets;
using Analytics.RunStore;
using Analytics.Testing;

namespace Analytics.RunStore.Tests;

/// <summary>fresh, stale, failed, never and running, from the run store's statuses (hand-made here).</summary>
public class AssetFreshnessTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static readonly AssetProject Project = AssetProject.Load(TestFiles.Assets(new()
    {
        ["raw/src.sql"] = "/*\nmaterialization: source\n*/",
        ["core/base.sql"] = "/*\nfreshness: {max_age: 30m}\n*/\nselect * from {{ ref('src') }}",
        ["marts/top.sql"] = "select * from {{ ref('base') }}",
        ["marts/live.sql"] = "/*\nmaterialization: view\n*/\nselect * from {{ ref('base') }}",
    }));

    private static AssetStatus Built(string key, int minutesAgo, string step = "succeeded", bool running = false) =>
        new(key, Now.AddMinutes(-minutesAgo), 1, step, 0, 0, running);

    private static string State(string key, params AssetStatus[] statuses) =>
        Analytics.Core.Execution.WireName.Of(AssetFreshness.Evaluate(Project.Graph, key, statuses.ToDictionary(s => s.AssetKey), Now).State);

    [Fact]
    public void An_asset_is_fresh_until_its_max_age_then_stale_saying_why()
    {
        Assert.Equal("fresh", State("base", Built("base", 29)));
        var stale = AssetFreshness.Evaluate(Project.Graph, "base", new Dictionary<string, AssetStatus> { ["base"] = Built("base", 31) }, Now);
        Assert.Equal(FreshnessState.Stale, stale.State);
        Assert.Equal("materialized 31m ago; max_age is 30m", stale.Reason);
        Assert.Equal("30m", stale.MaxAge);
    }

    [Fact]
    public void A_table_built_before_its_upstream_is_stale_but_a_view_reads_its_upstream_live()
    {
        Assert.Equal("fresh", State("top", Built("base", 10), Built("top", 5)));
        Assert.Equal("stale", State("top", Built("base", 1), Built("top", 5)));
        Assert.Equal("fresh", State("live", Built("base", 1), Built("live", 5)));
    }

    [Fact]
    public void Never_failed_and_running_win_in_that_order_and_a_source_counts_as_fresh()
    {
        Assert.Equal("never", State("top"));
        Assert.Equal("failed", State("top", Built("top", 5, step: "failed")));
        Assert.Equal("failed", State("top", Built("top", 5, step: "check_failed")));
        Assert.Equal("running", State("top", Built("top", 5, step: "failed", running: true)));
        Assert.Equal("fresh", State("top", Built("top", 5, step: "skipped")));
        Assert.Equal("fresh", State("src"));
    }
}
