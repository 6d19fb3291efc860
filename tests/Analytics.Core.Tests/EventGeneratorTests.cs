using Analytics.Core.Generation;
using Analytics.Core.Ingest;
using Analytics.Testing;

namespace Analytics.Core.Tests;

public class EventGeneratorTests
{
    private static string Generate(int seed, double dirty = 0.05, int users = 300)
    {
        var writer = new StringWriter();
        new EventGenerator(new EventGeneratorOptions { Users = users, Days = 90, Seed = seed, DirtyRate = dirty }).Write(writer);
        return writer.ToString();
    }

    [Fact]
    public void Same_seed_writes_the_same_events_and_another_seed_does_not()
    {
        Assert.Equal(Generate(7), Generate(7));
        Assert.NotEqual(Generate(7), Generate(8));
    }

    [Fact]
    public void Dirty_rows_break_the_rules_in_many_ways_and_clean_rows_pass()
    {
        var reasons = new HashSet<string>();
        var valid = 0;
        using var reader = new CsvRecordReader(new StringReader(Generate(3, dirty: 0.1)));
        reader.Read();
        var header = Enumerable.Range(0, reader.FieldCount).Select(i => reader[i].ToString()).ToList();
        var validator = TestSources.Validator(header, out var problem)!;
        Assert.Null(problem);
        var row = TestSources.Row();
        while (reader.Read())
        {
            var reason = validator.Validate(reader, row);
            if (reason is null)
            {
                valid++;
            }
            else
            {
                reasons.Add(reason.Split(' ')[0] + (reason.Contains("finite") ? " finite" : reason.Contains("negative") ? " negative" : reason.Contains("missing") ? " missing" : ""));
            }
        }

        Assert.True(valid > 1000);
        Assert.True(reasons.Count >= 8, string.Join("; ", reasons));
    }

    [Fact]
    public void With_no_dirty_rate_every_row_is_valid()
    {
        using var reader = new CsvRecordReader(new StringReader(Generate(5, dirty: 0)));
        reader.Read();
        var validator = TestSources.Validator(TestFiles.Header.Split(','), out _)!;
        var row = TestSources.Row();
        while (reader.Read())
        {
            Assert.Null(validator.Validate(reader, row));
        }
    }

    [Fact]
    public void Users_churn_and_come_back()
    {
        // A comeback is a gap of at least 7 whole days between two active days of one user.
        var days = Generate(11, dirty: 0, users: 500).Split('\n').Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(','))
            .GroupBy(f => f[1], f => DateOnly.Parse(f[0][..10]))
            .ToDictionary(g => g.Key, g => g.Distinct().Order().ToList());
        var comebacks = days.Values.Count(d => d.Zip(d.Skip(1)).Any(p => p.Second.DayNumber - p.First.DayNumber > 7));
        var joinedLate = days.Values.Count(d => d[0] > new DateOnly(2025, 2, 15));
        Assert.True(comebacks > 20, $"{comebacks} users came back");
        Assert.True(joinedLate > 50, $"{joinedLate} users joined late");
    }
}
