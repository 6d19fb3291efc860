namespace Analytics.Core.Ingest;

/// <summary>The input columns of metrics.md and the header check every file must pass.</summary>
public static class EventSchema
{
    public static readonly string[] Columns =
        ["event_time", "user_id", "event_type", "transaction_category", "miles_amount", "platform", "utm_source", "country"];

    /// <summary>
    /// The optional tenant column: a file without it loads as before, its rows of no tenant (the marts put them under
    /// <see cref="DefaultTenant"/>); with it, each row names its tenant.
    /// </summary>
    public const string TenantColumn = "tenant_id";

    /// <summary>The tenant of rows that name none.</summary>
    public const string DefaultTenant = "default";

    /// <summary>Every column a file may have: the eight of metrics.md, then the tenant.</summary>
    public static readonly string[] LoadedColumns = [.. Columns, TenantColumn];

    public static readonly string[] RequiredColumns = ["event_time", "user_id", "event_type"];

    public static readonly string[] EventTypes = ["miles_earned", "miles_redeemed", "share", "like", "reward_search"];

    /// <summary>
    /// The longest field loaded, in characters. Real values are a few dozen; a longer one is a broken row (a missing
    /// quote swallowing lines, say), rejected with its reason rather than loaded or allowed to fail the file.
    /// </summary>
    public const int MaxFieldLength = 1_024;

    /// <summary>Maps each schema column to its position in the header (-1 when absent), or says why the header is unusable.</summary>
    public static int[] MapHeader(IReadOnlyList<string> header, out string? problem)
    {
        problem = null;
        // A UTF-8 byte-order mark (every spreadsheet export has one) is not part of the first column's name.
        var names = header.Select((h, i) => (i == 0 ? h.TrimStart('\uFEFF') : h).Trim().ToLowerInvariant()).ToList();
        var repeated = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1 && g.Key.Length > 0);
        if (repeated is not null)
        {
            problem = $"the header names column '{repeated.Key}' twice; keep one";
        }

        var missing = RequiredColumns.Where(c => !names.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            problem = $"the header lacks the required column(s) {string.Join(", ", missing)}; the header must name "
                      + $"{string.Join(", ", RequiredColumns)} (and may name {string.Join(", ", LoadedColumns.Except(RequiredColumns))})";
        }

        return LoadedColumns.Select(c => names.IndexOf(c)).ToArray();
    }
}
