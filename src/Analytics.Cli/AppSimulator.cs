using Npgsql;

namespace Analytics.Cli;

/// <summary>
/// The rewards app's own database as the shipped example needs it: <c>users</c> (a membership tier that changes now
/// and then) and <c>topups</c> (amount, channel, status; a pending one later succeeds or fails). On an empty database it
/// first writes <see cref="HistoryDays"/> days of history, then each tick inserts new users and top-ups and updates
/// some of both, stamping <c>updated_at</c> with the database's clock, as an application would.
/// </summary>
public sealed class AppSimulator(NpgsqlDataSource database, int seed = 7)
{
    public const int HistoryDays = 30;

    private static readonly string[] Tiers = ["basic", "silver", "gold", "platinum"];
    private static readonly string[] Channels = ["card", "bank_transfer", "ewallet", "convenience_store"];
    private static readonly string[] Countries = ["SG", "MY", "TH", "ID", "PH"];
    private readonly Random _random = new(seed);

    private const string Ddl = """
        create table if not exists users (
            user_id      text primary key,
            tier         text not null,
            country      text,
            signed_up_at timestamptz not null,
            updated_at   timestamptz not null,
            tenant_id    text
        );
        create index if not exists users_by_watermark on users (updated_at, user_id);
        create table if not exists topups (
            topup_id   bigint generated always as identity primary key,
            user_id    text not null,
            amount     numeric(12, 2) not null,
            channel    text not null,
            status     text not null,
            created_at timestamptz not null,
            updated_at timestamptz not null,
            tenant_id  text
        );
        create index if not exists topups_by_watermark on topups (updated_at, topup_id);
        """;

    /// <summary>Makes the tables, and writes the history when they are empty; returns the users and top-ups written.</summary>
    public async Task<(long Users, long Topups)> PrepareAsync(CancellationToken cancellationToken)
    {
        await ExecuteAsync(Ddl, cancellationToken);
        await using (var count = database.CreateCommand("select count(*) from users"))
        {
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! > 0)
            {
                return (0, 0);
            }
        }

        // History: 200 users over the last 30 days, each topping up a few times; all of it settled. Committed as one
        // transaction, as an import would be: rows dated in the past that committed one by one while an extraction ran
        // would fall behind its watermark (the late commit that a source's lag is for, but days late).
        long users = 0, topups = 0;
        var history = new List<string>();
        for (var i = 1; i <= 200; i++)
        {
            var daysAgo = _random.Next(1, HistoryDays + 1);
            history.Add(InsertUser($"app_{i:D5}", $"now() - interval '{daysAgo} days'"));
            users++;
            for (var t = _random.Next(0, 5); t > 0; t--)
            {
                var at = $"now() - interval '{_random.Next(0, daysAgo * 24)} hours'";
                history.Add(InsertTopup($"app_{i:D5}", at, _random.NextDouble() < 0.9 ? "succeeded" : "failed"));
                topups++;
            }
        }

        // One command of many statements: Npgsql sends them as one batch, which PostgreSQL commits as one transaction.
        await ExecuteAsync(string.Join(";\n", history), cancellationToken);
        return (users, topups);
    }

    /// <summary>One tick of the app: a new user or two, a few top-ups, a tier change, pending top-ups settling.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        var next = await ScalarAsync("select count(*) + 1 from users", cancellationToken);
        for (var i = _random.Next(0, 3); i > 0; i--, next++)
        {
            await InsertUserAsync($"app_{next:D5}", "now()", cancellationToken);
        }

        for (var i = _random.Next(1, 5); i > 0; i--)
        {
            var user = $"app_{_random.Next(1, (int)next):D5}";
            await InsertTopupAsync(user, "now()", _random.NextDouble() < 0.5 ? "pending" : "succeeded", cancellationToken);
        }

        if (_random.NextDouble() < 0.3)
        {
            await ExecuteAsync($"update users set tier = '{Tiers[_random.Next(Tiers.Length)]}', updated_at = now() "
                               + $"where user_id = 'app_{_random.Next(1, (int)next):D5}'", cancellationToken);
        }

        await ExecuteAsync("update topups set status = case when random() < 0.9 then 'succeeded' else 'failed' end, updated_at = now() "
                           + "where status = 'pending' and created_at < now() - interval '5 seconds'", cancellationToken);
    }

    private Task InsertUserAsync(string user, string at, CancellationToken cancellationToken) => ExecuteAsync(InsertUser(user, at), cancellationToken);

    private Task InsertTopupAsync(string user, string at, string status, CancellationToken cancellationToken) =>
        ExecuteAsync(InsertTopup(user, at, status), cancellationToken);

    private string InsertUser(string user, string at) =>
        $"insert into users values ('{user}', 'basic', '{Countries[_random.Next(Countries.Length)]}', {at}, {at}, 'default') on conflict (user_id) do nothing";

    private string InsertTopup(string user, string at, string status) =>
        $"insert into topups (user_id, amount, channel, status, created_at, updated_at, tenant_id) values ('{user}', "
        + $"{Math.Round(5 + _random.NextDouble() * 95, 2).ToString(System.Globalization.CultureInfo.InvariantCulture)}, "
        + $"'{Channels[_random.Next(Channels.Length)]}', '{status}', {at}, {at}, 'default')";

    private async Task ExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
