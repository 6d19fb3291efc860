using System.Text;
using Analytics.Core.Access;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Templating;
using Npgsql;

namespace Analytics.Warehouse.Postgres;

/// <summary>
/// Who may read what: the roles the API and Superset read as, the row-level security policy and grants each build
/// puts on its relation, and the start of every read as the reader role with the principal's tenant.
/// </summary>
public sealed partial class PostgresWarehouse
{
    /// <summary>The role the Superset connection uses: it reads the unclassified columns of the marts, and nothing else.</summary>
    public const string SupersetRole = "analytics_superset";

    /// <summary>The layer whose tables Superset's datasets read.</summary>
    public const string SupersetLayer = "marts";

    /// <summary>
    /// The role every read for the API runs as (SET LOCAL ROLE): it owns nothing and has no BYPASSRLS, so each
    /// relation's row-level security policy holds for it, keyed on the transaction's <see cref="TenantSetting"/>.
    /// </summary>
    public const string ReaderRole = "analytics_reader";

    /// <summary>The setting that says which tenant's rows a read may see: a tenant's name, or <see cref="AllTenants"/>; unset, none.</summary>
    public const string TenantSetting = "analytics.tenant";

    public const string AllTenants = "*";

    /// <summary>
    /// Lets the reader role read <paramref name="relation"/> through its row-level security policy: a relation with a
    /// tenant_id shows the reader the rows of the tenant in <see cref="TenantSetting"/> (all of them for
    /// <see cref="AllTenants"/>), one without shows it rows only for <see cref="AllTenants"/>; with the setting unset
    /// or naming another tenant, nothing. Owners (the engine) are not subject to it. A server without the role gets none.
    /// </summary>
    private async Task ProtectAsync(NpgsqlConnection connection, string relation, IReadOnlyDictionary<string, string> types, CancellationToken cancellationToken)
    {
        if (!await ReaderExistsAsync(connection, cancellationToken))
        {
            return;
        }

        await using var kind = new NpgsqlCommand("select relkind::text from pg_class where oid = to_regclass($1)", connection) { Parameters = { new() { Value = relation } } };
        var statements = new StringBuilder($"grant select on {relation} to {ReaderRole};\n");
        if (await kind.ExecuteScalarAsync(cancellationToken) as string == "v")
        {
            statements.Append($"alter view {relation} set (security_invoker = true)");
        }
        else
        {
            var visible = types.ContainsKey("tenant_id")
                ? $"current_setting('{TenantSetting}', true) = '{AllTenants}' or tenant_id = current_setting('{TenantSetting}', true)"
                : $"current_setting('{TenantSetting}', true) = '{AllTenants}'";
            statements.Append($"alter table {relation} enable row level security;\n")
                .Append($"drop policy if exists tenant_rows on {relation};\n")
                .Append($"create policy tenant_rows on {relation} for select to {ReaderRole} using ({visible})");
        }

        await ExecuteAsync(connection, statements.ToString(), cancellationToken);
    }

    private bool? _readerExists;

    private async Task<bool> ReaderExistsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (_readerExists is { } known)
        {
            return known;
        }

        await using var role = new NpgsqlCommand("select 1 from pg_roles where rolname = $1", connection) { Parameters = { new() { Value = ReaderRole } } };
        var exists = await role.ExecuteScalarAsync(cancellationToken) is not null;
        // Remembered once it exists; a server without it is asked again (setup may make it later).
        if (exists)
        {
            _readerExists = true;
        }

        return exists;
    }

    /// <summary>
    /// Makes the rest of the transaction read as the reader role, seeing the rows of <paramref name="scope"/>'s tenant
    /// (all tenants when it has none): the warehouse's policies, not the API's WHERE clauses, keep tenants apart. A
    /// relation built before the policies existed gets its policy now. Without the role a tenant's read is refused.
    /// </summary>
    private async Task BeginReadAsync(NpgsqlConnection connection, string relation, ReadScope scope, CancellationToken cancellationToken)
    {
        if (!await ReaderExistsAsync(connection, cancellationToken))
        {
            if (scope.Tenant is not null)
            {
                throw new TableQueryException($"This warehouse has no {ReaderRole} role, so a tenant's key cannot be held to its tenant's rows; "
                                              + "the warehouse's login needs CREATEROLE once (or an administrator creates the role), then restart.");
            }

            return;
        }

        await using (var privilege = new NpgsqlCommand(
            "select has_table_privilege($1, to_regclass($2), 'select') and has_schema_privilege($1, (select relnamespace from pg_class where oid = to_regclass($2)), 'usage')",
            connection))
        {
            privilege.Parameters.AddWithValue(ReaderRole);
            privilege.Parameters.AddWithValue(relation);
            if (await privilege.ExecuteScalarAsync(cancellationToken) is not true)
            {
                // Built before the policies (or in a schema made before the role): granted now, once, in a transaction of
                // its own (the read's is rolled back), under the schema lock.
                await using var owner = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var granting = await owner.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(owner, "select pg_advisory_xact_lock(727001)", cancellationToken);
                await ExecuteAsync(owner, $"grant usage on schema {relation[..relation.LastIndexOf(".\"", StringComparison.Ordinal)]} to {ReaderRole}", cancellationToken);
                await ProtectAsync(owner, relation, await ColumnTypesAsync(owner, relation, cancellationToken), cancellationToken);
                await granting.CommitAsync(cancellationToken);
            }
        }

        await using var tenant = new NpgsqlCommand($"select set_config('{TenantSetting}', $1, true)", connection);
        tenant.Parameters.AddWithValue(scope.Tenant ?? AllTenants);
        await tenant.ExecuteNonQueryAsync(cancellationToken);
        await ExecuteAsync(connection, $"set local role {ReaderRole}", cancellationToken);
    }

    /// <summary>
    /// Grants the Superset role the unclassified columns of a mart's <paramref name="relation"/> (column privileges:
    /// a query naming a classified column, or *, is refused). Other layers, and a server without the role, get none.
    /// </summary>
    private static async Task GrantSupersetAsync(NpgsqlConnection connection, AssetDefinition asset, string relation, IReadOnlyDictionary<string, string> types,
        CancellationToken cancellationToken)
    {
        if (asset.Layer != SupersetLayer)
        {
            return;
        }

        await using (var role = new NpgsqlCommand("select 1 from pg_roles where rolname = $1", connection) { Parameters = { new() { Value = SupersetRole } } })
        {
            if (await role.ExecuteScalarAsync(cancellationToken) is null)
            {
                return;
            }
        }

        var open = types.Keys.Where(c => !asset.Classification.ContainsKey(c)).ToList();
        if (open.Count > 0)
        {
            // The schema's usage is granted once, with the schema (WarehouseSchema): granting it at every build raced
            // between parallel builds ("tuple concurrently updated").
            await ExecuteAsync(connection, $"grant select ({string.Join(", ", open.Select(PostgresDialect.Quote))}) on {relation} to {SupersetRole}", cancellationToken);
        }
    }

    /// <summary>What every build of a relation gets, from one read of its columns: the Superset role's grant and the reader's policy.</summary>
    private async Task SecureAsync(NpgsqlConnection connection, AssetDefinition asset, string relation, CancellationToken cancellationToken)
    {
        var types = await ColumnTypesAsync(connection, relation, cancellationToken);
        await GrantSupersetAsync(connection, asset, relation, types, cancellationToken);
        await ProtectAsync(connection, relation, types, cancellationToken);
    }
}
