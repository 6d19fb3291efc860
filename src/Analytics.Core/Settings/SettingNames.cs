namespace Analytics.Core.Settings;

/// <summary>
/// The one scheme of settings, <c>Analytics:&lt;Area&gt;:&lt;Key&gt;</c> (<c>Analytics__Area__Key</c> in the environment),
/// beside the connection strings (<c>ConnectionStrings:NAME</c>) and other tools' own names (<c>OTEL_*</c>,
/// <c>GOOGLE_APPLICATION_CREDENTIALS</c>,
/// <c>SLACK_WEBHOOK_URL</c>). The names used before it keep working: each is an alias of its key here, and the key
/// wins when both are set. README "Settings" lists them.
/// </summary>
public static class SettingNames
{
    /// <summary>Each earlier name (an environment variable) and the key it stands for.</summary>
    public static readonly IReadOnlyList<(string Alias, string Key)> Aliases =
    [
        ("ANALYTICS_HOME", "Analytics:Home"),
        ("ANALYTICS_ASSETS", "Analytics:Assets"),
        ("ANALYTICS_BIGQUERY_PROJECT", "Analytics:BigQuery:Project"),
        ("ANALYTICS_BIGQUERY_LOCATION", "Analytics:BigQuery:Location"),
        ("ANALYTICS_BIGQUERY_DATASET_PREFIX", "Analytics:BigQuery:DatasetPrefix"),
        ("ANALYTICS_BIGQUERY_MAX_BYTES_BILLED", "Analytics:BigQuery:MaxBytesBilled"),
        ("ANALYTICS_BIGQUERY_TENANT_READERS", "Analytics:BigQuery:TenantReaders"),
        ("ANALYTICS_BIGQUERY_ALL_TENANTS_READERS", "Analytics:BigQuery:AllTenantsReaders"),
        ("ANALYTICS_BIGQUERY_PII_POLICY_TAG", "Analytics:BigQuery:PiiPolicyTag"),
        ("ANALYTICS_GCS_STAGING", "Analytics:BigQuery:Staging"),
        ("BIGQUERY_EMULATOR_HOST", "Analytics:BigQuery:EmulatorHost"),
        ("STORAGE_EMULATOR_HOST", "Analytics:BigQuery:StorageEmulatorHost"),
        ("SUPERSET_USERNAME", "Analytics:Superset:Username"),
        ("SUPERSET_PASSWORD", "Analytics:Superset:Password"),
        ("ANALYTICS_SUPERSET_READER_PASSWORD", "Analytics:Superset:ReaderPassword"),
        ("ANALYTICS_REPORT_MEMORY", "Analytics:Cli:ReportMemory"),
    ];

    private static readonly Dictionary<string, string> KeyByAlias = Aliases.ToDictionary(a => a.Alias, a => a.Key, StringComparer.Ordinal);

    /// <summary>The key an earlier name stands for, or the name itself.</summary>
    public static string KeyOf(string name) => KeyByAlias.GetValueOrDefault(name, name);

    /// <summary>
    /// A lookup by earlier name that reads the setting's key first, then the name: <paramref name="get"/> takes
    /// configuration keys (<c>Analytics:BigQuery:Project</c>, or a bare <c>ANALYTICS_BIGQUERY_PROJECT</c>).
    /// </summary>
    public static Func<string, string?> WithAliases(Func<string, string?> get) => name =>
        (KeyByAlias.TryGetValue(name, out var key) && get(key) is { } value && !string.IsNullOrWhiteSpace(value) ? value : null) ?? get(name);

    /// <summary><see cref="WithAliases"/> over the process environment, where a key's colons are double underscores.</summary>
    public static Func<string, string?> Environment() =>
        WithAliases(key => System.Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal)));
}
