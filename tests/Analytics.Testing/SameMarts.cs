namespace Analytics.Testing;

/// <summary>The eleven marts of metrics.md, and the comparison of two warehouses' copies of them, row for row.</summary>
public static class SameMarts
{
    public static readonly string[] Eleven =
    [
        "growth_metrics", "social_capital_growth_accounting", "quick_ratio_analysis", "retention_cohorts", "retention_quality_framework",
        "user_resurrection_analysis", "growth_drivers", "miles_analytics", "users_with_negative_miles", "acquisition_channel_retention",
        "category_engagement",
    ];

    /// <summary>Asserts each of the eleven marts holds the same rows in <paramref name="actual"/> as in <paramref name="expected"/> (order aside).</summary>
    public static async Task AssertAsync(DatabaseFixture actual, DatabaseFixture expected, string actualWhat, string expectedWhat)
    {
        foreach (var mart in Eleven)
        {
            var sql = $"select * from marts.{mart}";
            var got = (await actual.RowsAsync(sql)).Select(r => string.Join("|", r)).Order(StringComparer.Ordinal).ToList();
            var want = (await expected.RowsAsync(sql)).Select(r => string.Join("|", r)).Order(StringComparer.Ordinal).ToList();
            Xunit.Assert.True(want.SequenceEqual(got), $"{mart}: {got.Count} rows {actualWhat}, {want.Count} {expectedWhat}");
        }
    }
}
