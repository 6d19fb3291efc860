using System.CommandLine;
using System.Globalization;
using Analytics.Core.Access;
using Analytics.Core.Execution;
using Analytics.Orchestration;
using Analytics.RunStore;
using Microsoft.Extensions.DependencyInjection;

namespace Analytics.Cli.Commands;

/// <summary>
/// <c>keys create|list|revoke</c>: principals' API keys in the run store, as <c>/api/keys</c> serves them. The key is
/// printed once, on creation; the store keeps only its hash.
/// </summary>
public static class KeysCommand
{
    public static Command Create(TextWriter output, AnalyticsSettings settings)
    {
        var name = new Option<string>("--name") { Required = true, Description = "who uses the key, e.g. ci-bot (letters, digits, . _ - @; at most 64)" };
        var role = new Option<string>("--role") { Required = true, Description = "viewer (reads), operator (plus runs and schedules) or admin (plus keys)" };
        var tenant = new Option<string?>("--tenant") { Description = "scope the key to one tenant" };
        var expires = new Option<string?>("--expires") { Description = "when the key stops working: YYYY-MM-DD (UTC midnight) or an ISO 8601 time" };
        var pii = new Option<bool>("--pii") { Description = "the key reads classified (pii) columns in the clear; without it they come back masked (an admin's key always reads them)" };
        var create = new Command("create", "Create a key for a principal and print it, this once.") { name, role, tenant, expires, pii };
        create.SetAction(async (parse, cancellationToken) =>
        {
            var roleText = parse.GetValue(role)!;
            if (!Enum.GetValues<Role>().Any(r => WireName.Of(r) == roleText))
            {
                throw new ArgumentException($"--role '{roleText}' is no role; use one of {string.Join(", ", Enum.GetValues<Role>().Select(WireName.Of))}.");
            }

            DateTimeOffset? expiry = null;
            if (parse.GetValue(expires) is { } text)
            {
                expiry = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? at
                    : throw new ArgumentException($"--expires '{text}' is not a date or time; write it as YYYY-MM-DD or 2027-01-31T00:00:00Z.");
            }

            var created = await WithKeysAsync(settings, keys => keys.CreateAsync(parse.GetValue(name)!, WireName.Parse<Role>(roleText), parse.GetValue(tenant),
                expiry, Operator, cancellationToken, parse.GetValue(pii)), cancellationToken,
                made => new AuditRecord(Operator, "CreateKey", $"/api/keys/{made.View.KeyId}", StatusCodes.Created, "cli", null));
            output.WriteLine($"key {created.View.KeyId} for {created.View.Name} ({WireName.Of(created.View.Role)}"
                             + $"{(created.View.Tenant is null ? "" : $", tenant {created.View.Tenant}")}"
                             + $"{(created.View.Pii ? ", reads pii" : "")}"
                             + $"{(created.View.ExpiresAt is { } until ? $", until {until:yyyy-MM-dd HH:mm} UTC" : "")}):");
            output.WriteLine(created.Key);
            output.WriteLine("Send it as the X-Api-Key header. It is shown this once: the store keeps only its hash.");
            return CliApp.Ok;
        });

        var list = new Command("list", "Every key (never the key itself): id, name, role, tenant, expiry, last use, revoked.");
        list.SetAction(async (_, cancellationToken) =>
        {
            var keys = await WithKeysAsync(settings, keys => keys.ListAsync(cancellationToken), cancellationToken);
            output.WriteLine($"{"id",-14} {"name",-24} {"role",-9} {"tenant",-12} {"expires (UTC)",-17} {"last used (UTC)",-17} {"pii",-4} state");
            foreach (var key in keys)
            {
                var state = key.RevokedAt is { } revoked ? $"revoked {revoked:yyyy-MM-dd HH:mm}"
                    : key.ExpiresAt < DateTimeOffset.UtcNow ? "expired" : "live";
                output.WriteLine($"{key.KeyId,-14} {key.Name,-24} {WireName.Of(key.Role),-9} {key.Tenant ?? "-",-12} "
                                 + $"{key.ExpiresAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "never",-17} "
                                 + $"{key.LastUsedAt?.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) ?? "never",-17} {(key.Pii || key.Role == Role.Admin ? "yes" : "no"),-4} {state}");
            }

            if (keys.Count == 0)
            {
                output.WriteLine("no keys yet: 'analytics keys create --name NAME --role viewer|operator|admin' makes one");
            }

            return CliApp.Ok;
        });

        var id = new Argument<string>("ID") { Description = "the key's id, as 'keys list' shows it" };
        var revoke = new Command("revoke", "Revoke a key: it is refused from its next request on.") { id };
        revoke.SetAction(async (parse, cancellationToken) =>
        {
            var (key, already) = await WithKeysAsync(settings, keys => keys.RevokeAsync(parse.GetValue(id)!, cancellationToken), cancellationToken,
                done => new AuditRecord(Operator, "RevokeKey", $"/api/keys/{parse.GetValue(id)}/revoke",
                    done.Key is null ? StatusCodes.NotFound : done.AlreadyRevoked ? StatusCodes.Conflict : StatusCodes.Ok, "cli", null));
            if (key is null)
            {
                throw new ArgumentException($"No key has the id '{parse.GetValue(id)}'; 'analytics keys list' shows them.");
            }

            output.WriteLine(already ? $"key {key.KeyId} ({key.Name}) was revoked already, at {key.RevokedAt:yyyy-MM-dd HH:mm} UTC"
                : $"key {key.KeyId} ({key.Name}) revoked: refused from its next request on");
            return CliApp.Ok;
        });

        return new Command("keys", "Principals' API keys: create one (shown once), list them, revoke one.") { create, list, revoke };
    }

    /// <summary>Who the audit log says changed a key from the command line.</summary>
    private static string Operator => $"cli:{Environment.UserName}";

    /// <summary>The HTTP statuses the same change through the API would have, for the audit log's outcome.</summary>
    private static class StatusCodes
    {
        public const int Ok = 200, Created = 201, NotFound = 404, Conflict = 409;
    }

    /// <summary>Runs <paramref name="use"/> on the run store's keys; a change is recorded in the audit log, as the API records its own.</summary>
    private static async Task<T> WithKeysAsync<T>(AnalyticsSettings settings, Func<ApiKeyStore, Task<T>> use, CancellationToken cancellationToken,
        Func<T, AuditRecord>? audit = null)
    {
        await using var host = await CliHost.StartAsync(settings, cancellationToken);
        var result = await use(host.Services.GetRequiredService<ApiKeyStore>());
        if (audit is not null)
        {
            await host.Services.GetRequiredService<AuditStore>().AppendAsync([audit(result)], cancellationToken);
        }

        return result;
    }
}
