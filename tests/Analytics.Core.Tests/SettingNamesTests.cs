using Analytics.Core.Settings;

namespace Analytics.Core.Tests;

public class SettingNamesTests
{
    [Fact]
    public void A_setting_is_read_by_its_key_first_then_by_its_earlier_name()
    {
        var both = new Dictionary<string, string?> { ["Analytics:Home"] = "/new", ["ANALYTICS_HOME"] = "/old" };
        var aliasOnly = new Dictionary<string, string?> { ["ANALYTICS_HOME"] = "/old" };
        var blankKey = new Dictionary<string, string?> { ["Analytics:Home"] = " ", ["ANALYTICS_HOME"] = "/old" };

        Assert.Equal("/new", SettingNames.WithAliases(both.GetValueOrDefault)("ANALYTICS_HOME"));
        Assert.Equal("/old", SettingNames.WithAliases(aliasOnly.GetValueOrDefault)("ANALYTICS_HOME"));
        Assert.Equal("/old", SettingNames.WithAliases(blankKey.GetValueOrDefault)("ANALYTICS_HOME"));
        Assert.Null(SettingNames.WithAliases(new Dictionary<string, string?>().GetValueOrDefault)("ANALYTICS_HOME"));
    }

    [Fact]
    public void Every_earlier_name_maps_to_one_key_in_the_analytics_scheme()
    {
        Assert.Equal(SettingNames.Aliases.Count, SettingNames.Aliases.Select(a => a.Alias).Distinct().Count());
        Assert.Equal(SettingNames.Aliases.Count, SettingNames.Aliases.Select(a => a.Key).Distinct().Count());
        Assert.All(SettingNames.Aliases, a => Assert.Matches("^Analytics(:[A-Z][A-Za-z]+){1,2}$", a.Key));
        Assert.Equal("Analytics:BigQuery:Staging", SettingNames.KeyOf("ANALYTICS_GCS_STAGING"));
        Assert.Equal("OTEL_EXPORTER_OTLP_ENDPOINT", SettingNames.KeyOf("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Fact]
    public void In_the_environment_a_keys_colons_are_double_underscores()
    {
        var name = "Analytics__Cli__ReportMemory";
        Environment.SetEnvironmentVariable(name, "1");
        try
        {
            Assert.Equal("1", SettingNames.Environment()("ANALYTICS_REPORT_MEMORY"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }
}
