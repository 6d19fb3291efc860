using Analytics.Core.Settings;
using Analytics.Core.Templating;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// Where the BigQuery warehouse and the GCS landing zone are. Read from the environment names of interfaces.md:
/// <c>ANALYTICS_BIGQUERY_PROJECT</c>, <c>ANALYTICS_BIGQUERY_LOCATION</c> (default <c>US</c>),
/// <c>ANALYTICS_BIGQUERY_DATASET_PREFIX</c> (prepended to raw, staging, core and marts),
/// <c>ANALYTICS_BIGQUERY_MAX_BYTES_BILLED</c> (the cost guard on every query, default 10 GiB),
/// <c>ANALYTICS_GCS_STAGING</c> (a <c>gs://bucket/prefix</c> where ingest uploads validated files before loading them),
/// and the emulator conventions <c>BIGQUERY_EMULATOR_HOST</c> and <c>STORAGE_EMULATOR_HOST</c>.
/// </summary>
public sealed record BigQuerySettings(
    string? Project,
    string Location = "US",
    string DatasetPrefix = "",
    long MaximumBytesBilled = BigQuerySettings.DefaultMaximumBytesBilled,
    string? Staging = null,
    Uri? BigQueryEmulator = null,
    Uri? StorageEmulator = null,
    BigQueryAccess? Access = null)
{
    /// <summary>Row access policies and policy tags, when configured (<see cref="BigQueryAccess"/>).</summary>
    public BigQueryAccess AccessOrNone => Access ?? BigQueryAccess.None;

    public const long DefaultMaximumBytesBilled = 10L << 30;

    /// <summary>Google's endpoints; an emulator host replaces them.</summary>
    public Uri BigQueryBase => new(BigQueryEmulator ?? new Uri("https://bigquery.googleapis.com/"), "bigquery/v2/");

    public Uri StorageBase => StorageEmulator ?? new Uri("https://storage.googleapis.com/");

    /// <summary>The settings from the environment: <c>Analytics__BigQuery__*</c>, or the earlier names (see <see cref="SettingNames"/>).</summary>
    public static BigQuerySettings FromEnvironment() => FromLookup(SettingNames.Environment());

    /// <summary>The settings from a variable lookup; a malformed value is an <see cref="ArgumentException"/> naming it and the fix.</summary>
    public static BigQuerySettings FromLookup(Func<string, string?> variable)
    {
        string? Read(string name) => variable(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var prefix = Read("ANALYTICS_BIGQUERY_DATASET_PREFIX") ?? "";
        if (!prefix.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || prefix.Length > 900)
        {
            throw new ArgumentException(
                $"Analytics__BigQuery__DatasetPrefix (ANALYTICS_BIGQUERY_DATASET_PREFIX) is '{prefix}'; a dataset name takes only letters, digits and underscores, e.g. 'dev_'.");
        }

        var maxBytes = DefaultMaximumBytesBilled;
        if (Read("ANALYTICS_BIGQUERY_MAX_BYTES_BILLED") is { } text && (!long.TryParse(text, out maxBytes) || maxBytes <= 0))
        {
            throw new ArgumentException(
                $"Analytics__BigQuery__MaxBytesBilled (ANALYTICS_BIGQUERY_MAX_BYTES_BILLED) is '{text}'; give a positive whole number of bytes, e.g. 10737418240 for 10 GiB.");
        }

        var staging = Read("ANALYTICS_GCS_STAGING");
        if (staging is not null)
        {
            GcsUri.Parse(staging, "Analytics__BigQuery__Staging (ANALYTICS_GCS_STAGING)");
        }

        return new BigQuerySettings(
            Read("ANALYTICS_BIGQUERY_PROJECT"),
            Read("ANALYTICS_BIGQUERY_LOCATION") ?? "US",
            prefix,
            maxBytes,
            staging,
            EmulatorHost(Read("BIGQUERY_EMULATOR_HOST"), "BIGQUERY_EMULATOR_HOST"),
            EmulatorHost(Read("STORAGE_EMULATOR_HOST"), "STORAGE_EMULATOR_HOST"),
            BigQueryAccess.FromLookup(variable));
    }

    /// <summary>The project, or an error that says how to set it.</summary>
    public string RequireProject() => Project ?? throw new BigQueryException(
        "no BigQuery project is set; set Analytics__BigQuery__Project (ANALYTICS_BIGQUERY_PROJECT) to the project that runs the jobs (and holds the datasets).");

    /// <summary>The dialect the assets compile to here: relations carry the project (when set) and the dataset prefix.</summary>
    public BigQueryDialect Dialect() => new(Project, DatasetPrefix);

    private static Uri? EmulatorHost(string? value, string name)
    {
        if (value is null)
        {
            return null;
        }

        // The emulators' convention allows a bare host:port.
        var text = value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value;
        if (!Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{name} is '{value}'; give the emulator's address, e.g. http://127.0.0.1:9050.");
        }

        return uri;
    }
}
