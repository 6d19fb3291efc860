using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Analytics.Core.Assets;

namespace Analytics.Warehouse.BigQuery;

/// <summary>
/// Who may read what on BigQuery, where the warehouse itself enforces it. Row access policies keep tenants apart:
/// each tenant's readers (<c>ANALYTICS_BIGQUERY_TENANT_READERS</c>, e.g. <c>acme=group:acme@example.com;globex=user:ana@example.com</c>)
/// see the rows of their tenant, and <c>ANALYTICS_BIGQUERY_ALL_TENANTS_READERS</c> (the app's own service account, at
/// least: once a table has a policy, whoever no policy names sees no row, checks included) see all. A policy tag
/// (<c>ANALYTICS_BIGQUERY_PII_POLICY_TAG</c>, a Data Catalog policy tag's resource name) goes on every classified
/// column, so only its fine-grained readers read it. Each is reapplied after a build, since CREATE OR REPLACE TABLE drops both.
/// </summary>
public sealed partial record BigQueryAccess(
    IReadOnlyDictionary<string, IReadOnlyList<string>> TenantReaders,
    IReadOnlyList<string> AllTenantsReaders,
    string? PiiPolicyTag)
{
    public static readonly BigQueryAccess None = new(new Dictionary<string, IReadOnlyList<string>>(), [], null);

    public const int MaxTenants = 1000;

    public bool HasRowAccess => TenantReaders.Count > 0;

    /// <summary>The access settings from a variable lookup; a malformed value is an <see cref="ArgumentException"/> naming it and the fix.</summary>
    public static BigQueryAccess FromLookup(Func<string, string?> variable)
    {
        string? Read(string name) => variable(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

        var tenants = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (Read("ANALYTICS_BIGQUERY_TENANT_READERS") is { } text)
        {
            foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
                if (parts.Length != 2 || !TenantName().IsMatch(parts[0]))
                {
                    throw new ArgumentException($"Analytics__BigQuery__TenantReaders (ANALYTICS_BIGQUERY_TENANT_READERS) has '{Clip(entry)}'; write TENANT=GRANTEE[,GRANTEE] entries separated by ';', "
                                                + "e.g. acme=group:acme-analysts@example.com;globex=user:ana@example.com.");
                }

                if (tenants.Count >= MaxTenants || !tenants.TryAdd(parts[0], Grantees(parts[1], "Analytics__BigQuery__TenantReaders (ANALYTICS_BIGQUERY_TENANT_READERS)")))
                {
                    throw new ArgumentException($"Analytics__BigQuery__TenantReaders (ANALYTICS_BIGQUERY_TENANT_READERS) names tenant '{parts[0]}' twice, or more than {MaxTenants} tenants; give each once.");
                }
            }
        }

        var all = Read("ANALYTICS_BIGQUERY_ALL_TENANTS_READERS") is { } allText ? Grantees(allText, "ANALYTICS_BIGQUERY_ALL_TENANTS_READERS") : [];
        if (tenants.Count > 0 && all.Count == 0)
        {
            throw new ArgumentException("Analytics__BigQuery__TenantReaders (ANALYTICS_BIGQUERY_TENANT_READERS) is set but Analytics__BigQuery__AllTenantsReaders (ANALYTICS_BIGQUERY_ALL_TENANTS_READERS) is not: once a table has row access "
                                        + "policies, a principal none names reads no row, so name the app's own service account there, "
                                        + "e.g. serviceAccount:analytics@PROJECT.iam.gserviceaccount.com.");
        }

        var tag = Read("ANALYTICS_BIGQUERY_PII_POLICY_TAG");
        if (tag is not null && !PolicyTag().IsMatch(tag))
        {
            throw new ArgumentException($"Analytics__BigQuery__PiiPolicyTag (ANALYTICS_BIGQUERY_PII_POLICY_TAG) is '{Clip(tag)}'; give the policy tag's resource name, "
                                        + "projects/PROJECT/locations/LOCATION/taxonomies/TAXONOMY/policyTags/TAG.");
        }

        return new BigQueryAccess(tenants, all, tag);
    }

    private static IReadOnlyList<string> Grantees(string text, string variable)
    {
        var grantees = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (grantees.Count is 0 or > 100 || grantees.Any(g => !Grantee().IsMatch(g)))
        {
            throw new ArgumentException($"{variable} has '{Clip(text)}'; name 1 to 100 grantees as user:, group:, serviceAccount: or domain: followed by the address.");
        }

        return grantees;
    }

    /// <summary>
    /// The row access policies of a built table: one per tenant, granting its readers the rows whose tenant_id is
    /// theirs, and one granting the all-tenants readers every row. A table without tenant_id gets only the latter.
    /// </summary>
    public IReadOnlyList<string> RowAccessStatements(string relation, bool hasTenantColumn)
    {
        if (!HasRowAccess)
        {
            return [];
        }

        var statements = new List<string>();
        if (hasTenantColumn)
        {
            foreach (var (tenant, readers) in TenantReaders.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                statements.Add($"CREATE OR REPLACE ROW ACCESS POLICY {PolicyName(tenant)} ON {relation}\n"
                               + $"GRANT TO ({string.Join(", ", readers.Select(Quote))})\nFILTER USING (tenant_id = {Quote(tenant)})");
            }
        }

        statements.Add($"CREATE OR REPLACE ROW ACCESS POLICY all_tenants ON {relation}\n"
                       + $"GRANT TO ({string.Join(", ", AllTenantsReaders.Select(Quote))})\nFILTER USING (TRUE)");
        return statements;
    }

    /// <summary>
    /// The <c>tables.patch</c> body that puts the pii policy tag on the classified columns of <paramref name="fields"/>
    /// (the table's whole schema, as tables.get gives it: a patch replaces the schema); null when there is nothing to tag.
    /// </summary>
    public JsonObject? PolicyTagPatch(JsonArray fields, AssetDefinition asset)
    {
        if (PiiPolicyTag is null || asset.Classification.Count == 0)
        {
            return null;
        }

        var patched = (JsonArray)fields.DeepClone();
        foreach (var field in patched.OfType<JsonObject>())
        {
            if (field["name"]?.GetValue<string>() is { } name && asset.Classification.TryGetValue(name, out var kind) && kind == Core.Access.ColumnClass.Pii)
            {
                field["policyTags"] = new JsonObject { ["names"] = new JsonArray(PiiPolicyTag) };
            }
        }

        return new JsonObject { ["schema"] = new JsonObject { ["fields"] = patched } };
    }

    /// <summary>A policy's name: letters, digits and underscores; the hash keeps tenants whose names differ only in other characters apart.</summary>
    public static string PolicyName(string tenant) =>
        $"tenant_{Regex.Replace(tenant, "[^A-Za-z0-9_]", "_")}_{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(tenant)))[..8]}";

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Clip(string text) => text.Length <= 80 ? text : text[..80] + "…";

    [GeneratedRegex("^[A-Za-z0-9._@-]{1,64}$")]
    private static partial Regex TenantName();

    [GeneratedRegex("^(user|group|serviceAccount|domain):[A-Za-z0-9@._-]{1,200}$")]
    private static partial Regex Grantee();

    [GeneratedRegex("^projects/[a-z0-9-]{1,63}/locations/[a-z0-9-]{1,63}/taxonomies/[0-9]{1,30}/policyTags/[0-9]{1,30}$")]
    private static partial Regex PolicyTag();
}
