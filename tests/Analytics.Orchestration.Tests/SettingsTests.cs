using Analytics.Orchestration;
using Analytics.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Analytics.Orchestration.Tests;

/// <summary>Settings in one scheme, Analytics:&lt;Area&gt;:&lt;Key&gt;, the earlier names as aliases, and bad values refused at start by name.</summary>
public class SettingsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    [Fact]
    public void The_analytics_keys_are_read_and_the_earlier_names_still_work_the_key_winning()
    {
        var settings = AnalyticsSettings.FromConfiguration(Configuration(
            ("Analytics:Home", "/srv/analytics"), ("ANALYTICS_HOME", "/old/home"), ("ANALYTICS_ASSETS", "/srv/assets-sql"),
            ("Analytics:BigQuery:Project", "growth-prod"), ("ANALYTICS_BIGQUERY_LOCATION", "EU"), ("Analytics:BigQuery:DatasetPrefix", "dev_"),
            ("Analytics:Superset:Username", "admin")));

        Assert.Equal("/srv/analytics", settings.Home);
        Assert.Equal("/srv/assets-sql", settings.AssetsPath);
        var bigQuery = settings.BigQueryOrEnvironment();
        Assert.Equal(("growth-prod", "EU", "dev_"), (bigQuery.Project, bigQuery.Location, bigQuery.DatasetPrefix));
        Assert.Equal("admin", settings.Setting("SUPERSET_USERNAME"));
    }

    [Fact]
    public void A_malformed_value_names_the_setting_in_both_its_spellings()
    {
        var settings = AnalyticsSettings.FromConfiguration(Configuration(("Analytics:BigQuery:MaxBytesBilled", "lots")));

        var error = Assert.Throws<ArgumentException>(settings.BigQueryOrEnvironment);

        Assert.StartsWith("Analytics__BigQuery__MaxBytesBilled (ANALYTICS_BIGQUERY_MAX_BYTES_BILLED) is 'lots'; give a positive whole number", error.Message);
    }

    [Fact]
    public async Task A_bad_worker_or_alert_setting_stops_the_service_at_start_naming_it()
    {
        using var host = await HostAsync(new() { ["Analytics:Worker:PollInterval"] = "-00:00:01", ["Analytics:Worker:HeartbeatTimeout"] = "00:00:01" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var message = string.Join("\n", error.Failures);
        Assert.Contains("Analytics:Worker:PollInterval is -00:00:01; give a positive time span", message);
        Assert.Contains("Analytics:Worker:HeartbeatTimeout is 00:00:01; make it longer than HeartbeatInterval", message);
    }

    [Fact]
    public async Task Alert_settings_are_checked_at_start_too()
    {
        using var host = await HostAsync(new() { ["Analytics:Alerts:Smtp:Port"] = "70000", ["Analytics:Alerts:BaseUrl"] = "ftp://nowhere" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        var message = string.Join("\n", error.Failures);
        Assert.Contains("Analytics:Alerts:Smtp:Port is 70000; give a TCP port", message);
        Assert.Contains("Analytics:Alerts:BaseUrl is 'ftp://nowhere'", message);
    }

    /// <summary>A service's host over <paramref name="values"/>, not started.</summary>
    private static async Task<IHost> HostAsync(Dictionary<string, string?> values)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Connection strings given, so nothing embedded starts; the options are checked before any database is touched.
            ["ConnectionStrings:warehouse"] = "Host=127.0.0.1;Port=1;Username=x;Database=x",
            ["Analytics:Assets"] = TestFiles.RepositoryAssets,
        });
        builder.Configuration.AddInMemoryCollection(values);
        await builder.AddAnalyticsAsync();
        return builder.Build();
    }

    [Fact]
    public async Task The_bigquery_options_bind_their_key_or_else_the_earlier_name_the_key_winning()
    {
        using var host = await HostAsync(new()
        {
            ["ANALYTICS_BIGQUERY_PROJECT"] = "from-the-old-name",
            ["Analytics:BigQuery:Location"] = "EU",
            ["ANALYTICS_BIGQUERY_LOCATION"] = "US",
            ["ANALYTICS_GCS_STAGING"] = "gs://bucket/staging/",
            ["STORAGE_EMULATOR_HOST"] = "127.0.0.1:9023",
        });

        var options = host.Services.GetRequiredService<IOptions<Warehouse.BigQuery.BigQueryOptions>>().Value;
        var settings = options.ToSettings();

        Assert.Equal(("from-the-old-name", "EU", "gs://bucket/staging/"), (settings.Project, settings.Location, settings.Staging));
        Assert.Equal("http://127.0.0.1:9023/", settings.StorageEmulator?.ToString());
    }

    [Fact]
    public async Task A_bad_bigquery_setting_stops_the_service_at_start_naming_it_in_both_spellings()
    {
        using var host = await HostAsync(new() { ["ANALYTICS_BIGQUERY_MAX_BYTES_BILLED"] = "lots" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.StartsWith("Analytics__BigQuery__MaxBytesBilled (ANALYTICS_BIGQUERY_MAX_BYTES_BILLED) is 'lots'", Assert.Single(error.Failures));
    }

    [Fact]
    public void Superset_settings_say_what_is_wrong_by_name()
    {
        var problems = new Superset.SupersetOptions { Password = "set", ReaderPassword = "short' or 1" }.Problems();

        Assert.Equal(2, problems.Count);
        Assert.Contains("SUPERSET_USERNAME and SUPERSET_PASSWORD", problems[0]);
        Assert.StartsWith("Analytics:Superset:ReaderPassword (ANALYTICS_SUPERSET_READER_PASSWORD) must be 12 to 128", problems[1]);
        Assert.Empty(new Superset.SupersetOptions { Username = "admin", Password = "pw", ReaderPassword = "abcdefABCDEF0123" }.Problems());
    }
}
