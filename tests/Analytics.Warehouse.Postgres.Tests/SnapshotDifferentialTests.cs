using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// Random sequences of source changes (new users, tier and country changes, changes less than a second apart,
/// clocks going backwards, deletes, restores with the old updated_at) and runs, under each hard-delete rule: after
/// every run the snapshot holds exactly the versions a reference written here, in C#, says it should.
/// </summary>
public sealed class SnapshotDifferentialTests(DatabaseFixture db) : IClassFixture<DatabaseFixture>
{
    private sealed record Row(string User, string Tier, string Country, double Minute);

    private sealed class Version(Row row, double from, bool deleted)
    {
        public Row Row { get; } = row;
        public double From { get; } = from;
        public double? To { get; set; }
        public bool Deleted { get; } = deleted;
        public override string ToString() => string.Join(" ", new[]
        {
            Row.User, Row.Tier, Row.Country, $"{Minute(From)}..{(To is { } to ? Minute(to) : "now")}", To is null ? "current" : null, Deleted ? "deleted" : null,
        }.OfType<string>());
    }

    /// <summary>The reference: the rules of the README's "Snapshots", applied to one run's source rows at <paramref name="now"/>.</summary>
    private static void Apply(Dictionary<string, List<Version>> history, IReadOnlyList<Row> source, double now, string rule)
    {
        foreach (var row in source)
        {
            var versions = history.GetValueOrDefault(row.User) ?? (history[row.User] = []);
            var current = versions.SingleOrDefault(v => v.To is null);
            if (current is { Deleted: false } && !(row.Minute > current.Row.Minute))
            {
                continue; // no later updated_at: no change
            }

            double? ended = versions.Count == 0 ? null : versions.Max(v => v.To ?? v.From);
            var at = ended is null || row.Minute > ended ? row.Minute : now;
            current?.To = at;
            versions.Add(new Version(row, at, deleted: false));
        }

        if (rule == "ignore")
        {
            return;
        }

        foreach (var (user, versions) in history)
        {
            if (versions.SingleOrDefault(v => v.To is null) is { Deleted: false } current && source.All(r => r.User != user))
            {
                current.To = now;
                if (rule == "new_record")
                {
                    versions.Add(new Version(current.Row, now, deleted: true));
                }
            }
        }
    }

    [Theory]
    [InlineData("ignore", 11)]
    [InlineData("invalidate", 12)]
    [InlineData("new_record", 13)]
    public async Task The_snapshot_matches_the_reference_after_every_run_of_a_random_history(string rule, int seed)
    {
        var random = new Random(seed);
        var h = new SnapshotHarness(db, $"materialization: snapshot\nunique_key: user_id\nstrategy: timestamp\nupdated_at: updated_at\nhard_deletes: {rule}");
        await h.CreateSourceAsync();
        string[] tiers = ["basic", "silver", "gold", "platinum"], countries = ["TH", "SG", "MY"];
        var source = new Dictionary<string, Row>();
        var removed = new Dictionary<string, Row>();
        var history = new Dictionary<string, List<Version>>();
        var now = 10.0;
        for (var run = 0; run < 40; run++)
        {
            for (var change = random.Next(0, 5); change > 0; change--)
            {
                var user = $"u{random.Next(8)}";
                var last = source.GetValueOrDefault(user) ?? removed.GetValueOrDefault(user);
                switch (random.Next(10))
                {
                    case 0 when source.ContainsKey(user):
                        removed[user] = source[user];
                        source.Remove(user);
                        break;
                    case 1 when removed.ContainsKey(user) && !source.ContainsKey(user):
                        source[user] = removed[user]; // restored as it was
                        break;
                    case 2 when last is not null:
                        // A clock that went backwards, or a copy restored over it: values change, the time goes back.
                        source[user] = last with { Tier = tiers[random.Next(4)], Minute = last.Minute - random.Next(1, 30) };
                        break;
                    default:
                        // A change since the last run, sometimes under a second after the one before.
                        var minute = random.Next(3) == 0 && last is not null ? last.Minute + 0.001 * random.Next(1, 16) : now - random.Next(0, 9) - 0.5;
                        source[user] = new Row(user, tiers[random.Next(4)], countries[random.Next(3)], Math.Min(minute, now - 0.01));
                        break;
                }
            }

            await h.SetAsync(source.Values.Select(r => (r.User, (string?)r.Tier, (string?)r.Country, r.Minute)).ToArray());
            var result = await h.RunAtAsync(now);
            Assert.True(result.Succeeded, $"run {run}: {result["snap"].Error} {string.Join("; ", result["snap"].Checks.Where(c => !c.Passed).Select(c => c.Name))}");
            Apply(history, source.Values.ToList(), now, rule);

            var expected = history.OrderBy(p => p.Key, StringComparer.Ordinal)
                .SelectMany(p => p.Value.OrderBy(v => v.From).Select(v => v.ToString())).ToList();
            Assert.True(expected.SequenceEqual(await h.VersionsAsync()),
                $"run {run} at {now}: expected\n{string.Join("\n", expected)}\nactual\n{string.Join("\n", await h.VersionsAsync())}");
            now += random.Next(1, 20);
        }
    }

    private static string Minute(double minute) => Math.Round(minute, 6).ToString("0.######", System.Globalization.CultureInfo.InvariantCulture);
}
