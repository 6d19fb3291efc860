using Analytics.Core.Settings;
using Microsoft.Extensions.Options;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// The BigQuery area's settings as configuration holds them, bound from <c>Analytics:BigQuery</c> (and the earlier names,
/// see <see cref="SettingNames"/>): text as given, turned into <see cref="BigQuerySettings"/> (and checked) by
/// <see cref="ToSettings"/>, the one place that reads them.
/// </summary>
public sealed class BigQueryOptions
{
    public const string Section = "Analytics:BigQuery";

    public string? Project { get; set; }

    public string? Location { get; set; }

    public string? DatasetPrefix { get; set; }

    public string? MaxBytesBilled { get; set; }

    public string? Staging { get; set; }

    public string? TenantReaders { get; set; }

    public string? AllTenantsReaders { get; set; }

    public string? PiiPolicyTag { get; set; }

    /// <summary>The BigQuery emulator (<c>BIGQUERY_EMULATOR_HOST</c>, the emulators' own name).</summary>
    public string? EmulatorHost { get; set; }

    /// <summary>The Cloud Storage emulator (<c>STORAGE_EMULATOR_HOST</c>).</summary>
    public string? StorageEmulatorHost { get; set; }

    /// <summary>The settings these options give; a malformed value is an <see cref="ArgumentException"/> naming it and the fix.</summary>
    public BigQuerySettings ToSettings() => BigQuerySettings.FromLookup(name => SettingNames.KeyOf(name) switch
    {
        Section + ":Project" => Project,
        Section + ":Location" => Location,
        Section + ":DatasetPrefix" => DatasetPrefix,
        Section + ":MaxBytesBilled" => MaxBytesBilled,
        Section + ":Staging" => Staging,
        Section + ":TenantReaders" => TenantReaders,
        Section + ":AllTenantsReaders" => AllTenantsReaders,
        Section + ":PiiPolicyTag" => PiiPolicyTag,
        Section + ":EmulatorHost" => EmulatorHost,
        Section + ":StorageEmulatorHost" => StorageEmulatorHost,
        _ => null,
    });
}

/// <summary>Checks <see cref="BigQueryOptions"/> when a host starts (<c>ValidateOnStart</c>), with the messages <see cref="BigQuerySettings"/> gives.</summary>
public sealed class BigQueryOptionsValidation : IValidateOptions<BigQueryOptions>
{
    public ValidateOptionsResult Validate(string? name, BigQueryOptions options)
    {
        try
        {
            options.ToSettings();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
