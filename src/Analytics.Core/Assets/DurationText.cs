using System.Text.RegularExpressions;

namespace Analytics.Core.Assets;

/// <summary>
/// Durations as people write them in YAML: <c>30m</c>, <c>2h</c>, <c>1d</c>, <c>1h30m</c> (units s, m, h, d, w).
/// At most a year: a longer freshness window or lookback is a typo, not a policy.
/// </summary>
public static partial class DurationText
{
    public static readonly TimeSpan Max = TimeSpan.FromDays(366);

    [GeneratedRegex(@"^([0-9]{1,6})\s*(w|d|h|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    /// <summary>The duration, or null when <paramref name="text"/> is not one (or is zero, or longer than a year).</summary>
    public static TimeSpan? TryParse(string? text) => TryParse(text, Max);

    /// <summary>The duration, or null when <paramref name="text"/> is not one (or is zero, or longer than <paramref name="max"/>).</summary>
    public static TimeSpan? TryParse(string? text, TimeSpan max)
    {
        var rest = (text ?? "").Trim();
        if (rest.Length is 0 or > 64)
        {
            return null;
        }

        var total = TimeSpan.Zero;
        while (rest.Length > 0)
        {
            var match = Part().Match(rest);
            if (!match.Success)
            {
                return null;
            }

            var n = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            total += match.Groups[2].Value switch
            {
                "w" => TimeSpan.FromDays(7.0 * n),
                "d" => TimeSpan.FromDays(n),
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromSeconds(n),
            };
            if (total > max)
            {
                return null;
            }

            rest = rest[match.Length..].TrimStart();
        }

        return total > TimeSpan.Zero ? total : null;
    }

    /// <summary>How a duration reads back: <c>1h30m</c>.</summary>
    public static string Format(TimeSpan value)
    {
        var parts = new[] { (value.Days, "d"), (value.Hours, "h"), (value.Minutes, "m"), (value.Seconds, "s") }
            .Where(p => p.Item1 > 0).Select(p => $"{p.Item1}{p.Item2}").ToList();
        return parts.Count == 0 ? "0s" : string.Concat(parts);
    }
}
