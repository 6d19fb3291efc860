using MiniExcel = MiniExcelLibs.MiniExcel;

namespace Analytics.Ingest;

/// <summary>
/// A payment partner's daily report of top-ups by channel, as the shipped example's third source reads it: an .xlsx
/// with the sheet 'Channels' (report_date, channel, topups, amount, fees), one row per day and channel. The same seed
/// writes the same figures.
/// </summary>
public static class PartnerReport
{
    public const string Sheet = "Channels";

    public static readonly string[] Channels = ["card", "bank_transfer", "ewallet", "convenience_store"];

    /// <summary>Writes <paramref name="days"/> days from <paramref name="start"/> to <paramref name="path"/>; returns the rows written.</summary>
    public static long Write(string path, DateOnly start, int days, int seed)
    {
        var random = new Random(seed);
        long rows = 0;
        IEnumerable<Dictionary<string, object>> Rows()
        {
            for (var day = 0; day < days; day++)
            {
                foreach (var channel in Channels)
                {
                    var topups = random.Next(20, 400);
                    var amount = Math.Round((decimal)(topups * (15 + random.NextDouble() * 60)), 2);
                    rows++;
                    yield return new Dictionary<string, object>
                    {
                        ["report_date"] = start.AddDays(day).ToDateTime(TimeOnly.MinValue),
                        ["channel"] = channel,
                        ["topups"] = topups,
                        ["amount"] = amount,
                        ["fees"] = Math.Round(amount * (channel == "card" ? 0.029m : 0.01m), 2),
                    };
                }
            }
        }

        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            MiniExcel.SaveAs(file, new Dictionary<string, object> { [Sheet] = Rows() });
        }

        return rows;
    }
}
