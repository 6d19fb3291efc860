using System.Globalization;

namespace Analytics.Core.Generation;

/// <summary>
/// Writes a realistic event stream in the input schema: users join over time, are active in bursts, lose
/// interest, churn, and some come back. Deterministic for a seed. A chosen share of rows is dirty.
/// </summary>
public sealed class EventGenerator(EventGeneratorOptions options)
{
    public const string Header = "event_time,user_id,event_type,transaction_category,miles_amount,platform,utm_source,country";

    private static readonly string[] Platforms = ["ios", "android", "web"];
    private static readonly double[] PlatformWeights = [0.45, 0.4, 0.15];
    private static readonly string[] Sources = ["organic", "google", "facebook", "tiktok", "referral"];
    private static readonly double[] SourceWeights = [0.35, 0.25, 0.2, 0.12, 0.08];
    private static readonly string[] Countries = ["SG", "TH", "MY", "ID", "PH", "VN"];
    private static readonly double[] CountryWeights = [0.3, 0.2, 0.15, 0.15, 0.1, 0.1];
    private static readonly string[] Categories = ["dining", "ecommerce", "travel", "groceries", "transport", "entertainment"];
    private static readonly string[] Types = ["miles_earned", "reward_search", "like", "share", "miles_redeemed"];
    private static readonly double[] TypeWeights = [0.35, 0.25, 0.18, 0.12, 0.10];

    /// <summary>The kinds of dirty row written; each breaks one input rule (or, for duplicates, repeats a row).</summary>
    public static readonly string[] DirtyKinds =
    [
        "missing_time", "bad_time", "impossible_date", "missing_user", "bad_event_type", "missing_miles",
        "negative_miles", "non_numeric_miles", "nan_miles", "wrong_field_count", "duplicate",
    ];

    /// <summary>Writes the header and all rows; returns the number of data rows written.</summary>
    public long Write(TextWriter writer)
    {
        writer.Write(Header);
        writer.Write('\n');
        long rows = 0;
        var line = new char[512];
        for (var user = 0; user < options.Users; user++)
        {
            // Not HashCode.Combine: it is seeded per process, so the same --seed gave different events in each run.
            var random = new Random(unchecked((int)((uint)options.Seed * 2_654_435_761u) ^ user));
            rows += WriteUser(writer, random, user, line);
        }

        return rows;
    }

    private long WriteUser(TextWriter writer, Random random, int user, char[] line)
    {
        var userId = $"u_{user + 1:D6}";
        // Growth: more users join later in the window.
        var joinDay = (int)(options.Days * Math.Sqrt(random.NextDouble()));
        var platform = Pick(random, Platforms, PlatformWeights);
        var source = Pick(random, Sources, SourceWeights);
        var country = Pick(random, Countries, CountryWeights);
        var engagement = 0.15 + 0.7 * random.NextDouble();
        var decay = 0.9 + 0.099 * random.NextDouble();
        long rows = 0;
        var day = joinDay;
        var balance = 0m;
        while (day < options.Days)
        {
            var eventsToday = 1 + (int)(-Math.Log(1 - random.NextDouble()) * 2.0);
            for (var e = 0; e < eventsToday; e++)
            {
                var type = e == 0 && day == joinDay ? "miles_earned" : Pick(random, Types, TypeWeights);
                var seconds = random.Next(86_400);
                var micros = random.Next(1_000_000);
                var time = options.Start.ToDateTime(TimeOnly.MinValue).AddDays(day).AddSeconds(seconds).AddTicks(micros * 10L);
                string? category = null;
                string? miles = null;
                if (type == "miles_earned")
                {
                    var amount = Math.Round((decimal)(10 + random.NextDouble() * 990), 1);
                    balance += amount;
                    miles = amount.ToString("0.0", CultureInfo.InvariantCulture);
                    category = Categories[random.Next(Categories.Length)];
                }
                else if (type == "miles_redeemed")
                {
                    // Mostly within the balance; sometimes beyond it, as real redemptions racing earn events do.
                    var amount = Math.Round((decimal)(50 + random.NextDouble() * 950) * (random.NextDouble() < 0.9 ? 0.5m : 3m), 1);
                    balance -= amount;
                    miles = amount.ToString("0.0", CultureInfo.InvariantCulture);
                    category = random.NextDouble() < 0.7 ? "travel" : Categories[random.Next(Categories.Length)];
                }
                else if (type == "reward_search" && random.NextDouble() < 0.5)
                {
                    category = Categories[random.Next(Categories.Length)];
                }

                var eventPlatform = random.NextDouble() < 0.9 ? platform : Platforms[random.Next(Platforms.Length)];
                var length = Format(line, time, userId, type, category, miles, eventPlatform, source, country);
                if (random.NextDouble() < options.DirtyRate)
                {
                    rows += WriteDirty(writer, random, line.AsSpan(0, length), time, userId, eventPlatform, source, country);
                }
                else
                {
                    writer.Write(line, 0, length);
                    writer.Write('\n');
                    rows++;
                }
            }

            // Next active day: gaps grow as interest fades; some users go dormant and come back.
            engagement *= decay;
            if (random.NextDouble() < 0.015)
            {
                if (random.NextDouble() < 0.5)
                {
                    break;
                }

                day += 7 + random.Next(60);
                engagement = Math.Max(engagement, 0.3 + 0.4 * random.NextDouble());
                continue;
            }

            var gap = 1 + (int)(-Math.Log(1 - random.NextDouble()) / Math.Max(0.02, engagement));
            day += gap;
        }

        return rows;
    }

    private static int Format(char[] line, DateTime time, string userId, string type, string? category, string? miles,
        string platform, string source, string country)
    {
        var span = line.AsSpan();
        time.TryFormat(span, out var n, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        foreach (var field in (ReadOnlySpan<string?>)[userId, type, category, miles, platform, source, country])
        {
            span[n++] = ',';
            if (field is not null)
            {
                field.CopyTo(span[n..]);
                n += field.Length;
            }
        }

        return n;
    }

    private long WriteDirty(TextWriter writer, Random random, ReadOnlySpan<char> clean, DateTime time, string userId,
        string platform, string source, string country)
    {
        var kind = DirtyKinds[random.Next(DirtyKinds.Length)];
        var stamp = time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var tail = $"{platform},{source},{country}";
        var text = kind switch
        {
            "missing_time" => $",{userId},share,,,{tail}",
            // Two in three are real times outside the range ingest accepts (a clock reset, a sentinel), chosen without a
            // draw from the random stream, so the rows after it stay those of earlier versions for a seed.
            "bad_time" => (time.Second % 3) switch
            {
                0 => $"0001-01-01 00:00:00,{userId},like,,,{tail}",
                1 => $"9999-12-31 23:59:59.9999999,{userId},like,,,{tail}",
                _ => $"yesterday at noon,{userId},like,,,{tail}",
            },
            "impossible_date" => $"{time:yyyy}-02-30 10:00:00,{userId},like,,,{tail}",
            "missing_user" => $"{stamp},  ,share,,,{tail}",
            "bad_event_type" => $"{stamp},{userId},miles_transferred,dining,10.0,{tail}",
            "missing_miles" => $"{stamp},{userId},miles_earned,dining,,{tail}",
            "negative_miles" => $"{stamp},{userId},miles_earned,dining,-25.0,{tail}",
            "non_numeric_miles" => $"{stamp},{userId},miles_redeemed,travel,lots,{tail}",
            "nan_miles" => $"{stamp},{userId},miles_earned,dining,NaN,{tail}",
            "wrong_field_count" => $"{stamp},{userId},share,{platform}",
            _ => null,
        };
        if (text is null)
        {
            // A duplicate is valid twice over: staging keeps the first copy.
            writer.Write(clean);
            writer.Write('\n');
            writer.Write(clean);
            writer.Write('\n');
            return 2;
        }

        writer.Write(text);
        writer.Write('\n');
        return 1;
    }

    private static string Pick(Random random, string[] values, double[] weights)
    {
        var x = random.NextDouble();
        for (var i = 0; i < values.Length; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return values[i];
            }
        }

        return values[^1];
    }
}
