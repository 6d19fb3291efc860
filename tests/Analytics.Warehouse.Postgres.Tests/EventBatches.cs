using Analytics.Core.Generation;

namespace Analytics.Warehouse.Postgres.Tests;

/// <summary>
/// A generated event stream cut into loads the way they arrive in life: mostly in time order, some events late by
/// a day or two (inside a 3-day lookback) or by weeks (outside it), exact duplicates of rows loaded before, and an
/// empty file.
/// </summary>
public static class EventBatches
{
    public sealed record Batch(List<string> Lines, int LateInsideLookback, int LateOutsideLookback, int Duplicates, bool NewMonth)
    {
        public string Write(string folder, int index)
        {
            var path = Path.Combine(folder, $"batch-{index:00}.csv");
            File.WriteAllLines(path, [Header, .. Lines]);
            return path;
        }

        public override string ToString() =>
            $"{Lines.Count} rows, {LateInsideLookback} late inside the lookback, {LateOutsideLookback} outside, {Duplicates} duplicates{(NewMonth ? ", a new month" : "")}";
    }

    private const string Header = "event_time,user_id,event_type,transaction_category,miles_amount,platform,utm_source,country";

    public static async Task<List<Batch>> GenerateAsync(int seed, int users = 120, int days = 100, int count = 8)
    {
        var csv = Path.Combine(Testing.TestFiles.Folder(), $"stream-{seed}.csv");
        await using (var writer = new StreamWriter(csv))
        {
            new EventGenerator(new EventGeneratorOptions { Users = users, Days = days, Seed = seed, DirtyRate = 0.03 }).Write(writer);
        }

        var random = new Random(seed);
        var start = new DateOnly(2025, 1, 1);
        var rows = File.ReadLines(csv).Skip(1)
            .Select(line => (Line: line, Day: Day(line) ?? start.AddDays(random.Next(days))))
            .ToList();
        var first = rows.Min(r => r.Day);
        var span = Math.Max(1, (rows.Max(r => r.Day).DayNumber - first.DayNumber + count) / count);
        var lines = Enumerable.Range(0, count + 1).Select(_ => new List<string>()).ToList();
        var inside = new int[count + 1];
        var outside = new int[count + 1];
        var duplicates = new int[count + 1];
        foreach (var (line, day) in rows)
        {
            // Batch 3 stays empty: its events come with batch 4.
            var batch = Math.Min(count - 1, (day.DayNumber - first.DayNumber) / span);
            batch = batch >= 3 ? batch + 1 : batch;
            var dayInBatch = (day.DayNumber - first.DayNumber) % span;
            var roll = random.NextDouble();
            if (roll < 0.04 && batch + 2 <= count)
            {
                batch += random.Next(2, Math.Min(4, count - batch + 1));
                outside[batch]++;
            }
            else if (roll < 0.3 && dayInBatch >= span - 2 && batch + 1 <= count)
            {
                batch++;
                inside[batch]++;
            }

            lines[batch].Add(line);
            if (random.NextDouble() < 0.02 && batch + 1 <= count)
            {
                var later = random.Next(batch + 1, count + 1);
                lines[later].Add(line);
                duplicates[later]++;
            }
        }

        // Late events and duplicates bound for the empty batch wait for the next one.
        lines[4].AddRange(lines[3]);
        lines[3].Clear();
        (inside[4], outside[4], duplicates[4]) = (inside[4] + inside[3], outside[4] + outside[3], duplicates[4] + duplicates[3]);
        (inside[3], outside[3], duplicates[3]) = (0, 0, 0);

        var months = new HashSet<(int, int)>();
        var result = new List<Batch>();
        for (var i = 0; i <= count; i++)
        {
            var batchMonths = lines[i].Select(Day).OfType<DateOnly>().Select(d => (d.Year, d.Month)).ToHashSet();
            var newMonth = i > 0 && batchMonths.Any(m => !months.Contains(m));
            months.UnionWith(batchMonths);
            result.Add(new Batch(lines[i].OrderBy(_ => random.Next()).ToList(), inside[i], outside[i], duplicates[i], newMonth));
        }

        return result;
    }

    /// <summary>
    /// The date a well-formed row's event_time starts with; null for a dirty one. Exact, so no dirty value (a
    /// month-day without a year, say) parses against today's date and moves rows between batches from one day to the next.
    /// </summary>
    /// <summary>The row's day, or null for one ingest rejects for its time (unreadable, or outside the accepted range).</summary>
    private static DateOnly? Day(string line) =>
        line.Length >= 10 && DateOnly.TryParseExact(line[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var day)
        && Analytics.Core.Ingest.EventTimeRange.Default.Contains(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc)) ? day : null;
}
