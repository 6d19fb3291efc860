using System.Globalization;
using Analytics.Core.Ingest;
using Analytics.Testing;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// The eleven marts computed in memory straight from the definitions in metrics.md, set by set, with no SQL and
/// none of the SQL's tricks: the independent side of the differential test. Rows come out as text in the form
/// <see cref="Format"/> gives, so they compare with the warehouse's row for row.
/// </summary>
public sealed class ReferenceMarts
{
    private readonly List<Event> _events;
    private readonly Dictionary<string, SortedSet<DateOnly>> _days;
    private readonly Dictionary<string, Event> _firstTouch;

    public sealed record Event(DateTime Time, string User, string Type, string? Category, decimal? Miles, string? Platform, string? Utm, string? Country, long Order)
    {
        public DateOnly Date => DateOnly.FromDateTime(Time);

        public bool IsMiles => Type is "miles_earned" or "miles_redeemed";
    }

    public ReferenceMarts(string csvPath)
    {
        var seen = new HashSet<(DateTime, string, string, string?, decimal?, string?, string?, string?)>();
        _events = [];
        using var reader = new CsvRecordReader(new StreamReader(csvPath));
        reader.Read();
        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToList();
        var validator = TestSources.Validator(header, out _)!;
        var row = TestSources.Row();
        while (reader.Read())
        {
            if (validator.Validate(reader, row) is null && TestSources.Values(row) is var r
                && seen.Add((r.EventTime, r.UserId, r.EventType, r.TransactionCategory, r.MilesAmount, r.Platform, r.UtmSource, r.Country)))
            {
                _events.Add(new Event(r.EventTime, r.UserId, r.EventType, r.TransactionCategory, r.MilesAmount, r.Platform, r.UtmSource, r.Country, reader.Line));
            }
        }

        _days = _events.GroupBy(e => e.User).ToDictionary(g => g.Key, g => new SortedSet<DateOnly>(g.Select(e => e.Date)));
        _firstTouch = _events.GroupBy(e => e.User).ToDictionary(g => g.Key, g => g.OrderBy(e => e.Time).ThenBy(e => e.Order).First());
    }

    public int EventCount => _events.Count;

    private static int Day(DateOnly d) => d.DayNumber;

    private static int Week(DateOnly d) => d.AddDays(-(((int)d.DayOfWeek + 6) % 7)).DayNumber / 7;

    private static int Month(DateOnly d) => d.Year * 12 + d.Month - 1;

    private static DateOnly StartOf(string grain, int index) => grain switch
    {
        "day" => DateOnly.FromDayNumber(index),
        "week" => DateOnly.FromDayNumber(index * 7),
        _ => new DateOnly(index / 12, index % 12 + 1, 1),
    };

    private static Func<DateOnly, int> IndexOf(string grain) => grain switch { "day" => Day, "week" => Week, _ => Month };

    private sealed record Accounting(int Index, DateOnly Start, int Active, int New, int Retained, int Resurrected, int Churned, int PreviousActive);

    private (Dictionary<int, HashSet<string>> Active, Dictionary<string, int> First, int Lo, int Hi) Periods(string grain)
    {
        var index = IndexOf(grain);
        var active = new Dictionary<int, HashSet<string>>();
        foreach (var (user, days) in _days)
        {
            foreach (var day in days)
            {
                (active.TryGetValue(index(day), out var set) ? set : active[index(day)] = []).Add(user);
            }
        }

        var first = _days.ToDictionary(kv => kv.Key, kv => index(kv.Value.Min));
        return (active, first, active.Keys.Min(), active.Keys.Max());
    }

    private List<Accounting> GrowthAccounting(string grain)
    {
        var (active, first, lo, hi) = Periods(grain);
        var rows = new List<Accounting>();
        for (var t = lo; t <= hi; t++)
        {
            var now = active.GetValueOrDefault(t) ?? [];
            var before = t == lo ? [] : active.GetValueOrDefault(t - 1) ?? [];
            rows.Add(new Accounting(
                t,
                StartOf(grain, t),
                now.Count,
                now.Count(u => first[u] == t),
                now.Count(before.Contains),
                now.Count(u => !before.Contains(u) && first[u] < t),
                before.Count(u => !now.Contains(u)),
                before.Count));
        }

        return rows;
    }

    public List<string> GrowthMetrics()
    {
        var (active, _, _, _) = Periods("day");
        int Window(int t, int length) => Enumerable.Range(t - length + 1, length).SelectMany(s => active.GetValueOrDefault(s) ?? []).Distinct().Count();
        return GrowthAccounting("day").Select(a =>
        {
            var mau = Window(a.Index, 28);
            return Row(a.Start, a.Active, Window(a.Index, 7), mau, mau == 0 ? null : (decimal)a.Active / mau, a.New, a.Retained, a.Resurrected, a.Churned);
        }).ToList();
    }

    private IEnumerable<(string Grain, Accounting A, decimal? Quick, decimal? Gross)> Accounted() =>
        new[] { "week", "month" }.SelectMany(grain => GrowthAccounting(grain).Select(a => (grain, a,
            a.Churned == 0 ? (decimal?)null : (decimal)(a.New + a.Resurrected) / a.Churned,
            a.PreviousActive == 0 ? (decimal?)null : (decimal)a.Retained / a.PreviousActive)));

    public List<string> SocialCapital() => Accounted()
        .Select(x => Row(x.Grain, x.A.Start, x.A.Active, x.A.New, x.A.Retained, x.A.Resurrected, x.A.Churned, x.Quick, x.Gross, x.A.New + x.A.Resurrected - x.A.Churned))
        .ToList();

    public List<string> QuickRatio() => Accounted().GroupBy(x => x.Grain).SelectMany(g =>
    {
        var list = g.ToList();
        return list.Select((x, i) =>
        {
            var window = list.Skip(Math.Max(0, i - 2)).Take(Math.Min(3, i + 1)).Select(w => w.Quick).OfType<decimal>().ToList();
            var signal = x.A.Churned == 0 ? "no_churn" : x.Quick < 1 ? "shrinking" : x.Quick < 4 ? "growing" : "strong";
            return Row(x.Grain, x.A.Start, x.A.New, x.A.Resurrected, x.A.Churned, x.Quick, window.Count == 0 ? null : window.Average(), signal);
        });
    }).ToList();

    public List<string> RetentionCohorts() => new[] { "week", "month" }.SelectMany(grain =>
    {
        var (active, first, _, hi) = Periods(grain);
        return first.GroupBy(kv => kv.Value, kv => kv.Key).SelectMany(cohort =>
        {
            var size = cohort.Count();
            return Enumerable.Range(0, hi - cohort.Key + 1).Select(k =>
            {
                var retained = cohort.Count(u => (active.GetValueOrDefault(cohort.Key + k) ?? []).Contains(u));
                return Row(grain, StartOf(grain, cohort.Key), k, size, retained, (decimal)retained / size);
            });
        });
    }).ToList();

    public List<string> RetentionQuality() => _days.Select(kv =>
    {
        var days = kv.Value.ToList();
        var tenure = days[^1].DayNumber - days[0].DayNumber;
        int longest = 1, run = 1;
        for (var i = 1; i < days.Count; i++)
        {
            run = days[i].DayNumber == days[i - 1].DayNumber + 1 ? run + 1 : 1;
            longest = Math.Max(longest, run);
        }

        var stage = tenure < 7 ? "new" : tenure < 30 ? "growing" : tenure < 90 ? "established" : "mature";
        return Row(kv.Key, days[0], days[^1], tenure, days.Count, (decimal)days.Count / (tenure + 1), longest, stage);
    }).ToList();

    public List<string> Resurrections() => _days.SelectMany(kv => kv.Value.Zip(kv.Value.Skip(1))
        .Where(p => p.Second.DayNumber - p.First.DayNumber - 1 >= 7)
        .Select(p =>
        {
            var dormant = p.Second.DayNumber - p.First.DayNumber - 1;
            var bucket = dormant < 14 ? "short" : dormant < 30 ? "medium" : dormant < 60 ? "long" : "very_long";
            return Row(kv.Key, p.First, p.Second, dormant, bucket);
        })).ToList();

    public List<string> GrowthDrivers()
    {
        static string Key(string? v) => v ?? "unknown";
        var activity = _events.GroupBy(e => (e.Date, Key(e.Platform), Key(e.Utm), Key(e.Country))).ToDictionary(g => g.Key, g => g.ToList());
        var newcomers = _firstTouch.Values
            .GroupBy(f => (DateOnly.FromDateTime(f.Time), Key(f.Platform), Key(f.Utm), Key(f.Country)))
            .ToDictionary(g => g.Key, g => g.Count());
        return activity.Keys.Union(newcomers.Keys).Select(k =>
        {
            var events = activity.GetValueOrDefault(k) ?? [];
            return Row(k.Item1, k.Item2, k.Item3, k.Item4, events.Count, events.Select(e => e.User).Distinct().Count(), newcomers.GetValueOrDefault(k),
                events.Where(e => e.Type == "miles_earned").Sum(e => e.Miles!.Value), events.Where(e => e.Type == "miles_redeemed").Sum(e => e.Miles!.Value));
        }).ToList();
    }

    public List<string> MilesAnalytics() => _events.Where(e => e.IsMiles).GroupBy(e => (e.Date, e.Category ?? "none")).Select(g =>
    {
        var earned = g.Where(e => e.Type == "miles_earned").ToList();
        var redeemed = g.Where(e => e.Type == "miles_redeemed").ToList();
        var earnedMiles = earned.Sum(e => e.Miles!.Value);
        var redeemedMiles = redeemed.Sum(e => e.Miles!.Value);
        return Row(g.Key.Date, g.Key.Item2, earnedMiles, redeemedMiles, earnedMiles - redeemedMiles, earned.Count, redeemed.Count,
            earned.Select(e => e.User).Distinct().Count(), redeemed.Select(e => e.User).Distinct().Count());
    }).ToList();

    public List<string> NegativeMiles() => _events.Where(e => e.IsMiles).GroupBy(e => e.User).Select(g =>
    {
        decimal balance = 0, min = decimal.MaxValue;
        DateTime? firstNegative = null;
        foreach (var e in g.OrderBy(e => e.Time).ThenBy(e => e.Type == "miles_earned" ? 0 : 1).ThenBy(e => e.Order))
        {
            balance += e.Type == "miles_earned" ? e.Miles!.Value : -e.Miles!.Value;
            min = Math.Min(min, balance);
            firstNegative ??= balance < 0 ? e.Time : null;
        }

        return firstNegative is null ? null : Row(g.Key, firstNegative, min, balance);
    }).OfType<string>().ToList();

    public List<string> AcquisitionChannelRetention()
    {
        var (active, first, lo, hi) = Periods("week");
        var dimensions = new (string Name, Func<Event, string?> Value)[] { ("utm_source", f => f.Utm), ("platform", f => f.Platform), ("country", f => f.Country) };
        return dimensions.SelectMany(d => _firstTouch.GroupBy(kv => d.Value(kv.Value) ?? "unknown", kv => kv.Key).SelectMany(group =>
            Enumerable.Range(0, hi - lo + 1).Select(k =>
            {
                var retained = group.Count(u => (active.GetValueOrDefault(first[u] + k) ?? []).Contains(u));
                return Row(d.Name, group.Key, k, group.Count(), retained, (decimal)retained / group.Count());
            }))).ToList();
    }

    public List<string> CategoryEngagement() => _events
        .GroupBy(e => (StartOf("week", Week(e.Date)), e.Type, e.Category ?? "none"))
        .Select(g => Row(g.Key.Item1, g.Key.Type, g.Key.Item3, g.Count(), g.Select(e => e.User).Distinct().Count(), g.Where(e => e.IsMiles).Sum(e => e.Miles!.Value)))
        .ToList();

    public static string Row(params object?[] values) => string.Join(" | ", values.Select(Format));

    public static string Format(object? value) => value switch
    {
        null => "null",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        decimal m => decimal.Round(m, 6).ToString("0.######", CultureInfo.InvariantCulture),
        double x => Format((decimal)x),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };
}
