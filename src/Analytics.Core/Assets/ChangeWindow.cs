using System.Globalization;
using Analytics.Core.Templating;

namespace Analytics.Core.Assets;

/// <summary>
/// Which rows of a source (one with a <c>load_id</c>) an incremental build treats as changed: those loaded after
/// <paramref name="AfterLoadId"/> up to <paramref name="ThroughLoadId"/>, or, for a backfill, every row up to
/// <paramref name="ThroughLoadId"/> dated <paramref name="From"/> to <paramref name="To"/>.
/// </summary>
public sealed record ChangeWindow(long AfterLoadId, long ThroughLoadId, DateOnly? From = null, DateOnly? To = null)
{
    public bool IsBackfill => From is not null;

    /// <summary>
    /// The load the asset was current with: rows at or below it were there before. A backfill restates rows that
    /// were all there, so for it every row up to <see cref="ThroughLoadId"/> counts as earlier.
    /// </summary>
    public string PreviousLoad => (IsBackfill ? ThroughLoadId : AfterLoadId).ToString(CultureInfo.InvariantCulture);

    /// <summary>The FROM item for <paramref name="source"/>'s changed rows.</summary>
    public string Render(AssetDefinition source, ISqlDialect dialect)
    {
        var relation = dialect.Relation(source.Schema, source.Key.Name);
        var load = source.LoadId!;
        var through = ThroughLoadId.ToString(CultureInfo.InvariantCulture);
        if (From is { } from && To is { } to)
        {
            if (source.PartitionBy is not { } time)
            {
                throw new TemplateException(
                    $"{source.SourcePath}: a backfill selects the source's rows by date; add 'partition_by: <timestamp column>' to its header.");
            }

            return $"(select * from {relation} where {load} <= {through} and {dialect.UtcDate(time)} between {Date(from)} and {Date(to)})";
        }

        return $"(select * from {relation} where {load} > {AfterLoadId.ToString(CultureInfo.InvariantCulture)} and {load} <= {through})";
    }

    public static string Date(DateOnly date) => $"date '{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}'";
}
