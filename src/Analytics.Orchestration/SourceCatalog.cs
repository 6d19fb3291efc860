using System.Globalization;
using Analytics.Core.Assets;
using Analytics.Core.Execution;
using Analytics.Core.Sources;
using Analytics.RunStore;

namespace Analytics.Orchestration;

/// <summary>A declared column as the Sources page shows it: its type and its rules in words.</summary>
public sealed record SourceColumnView(string Name, string Type, bool Required, IReadOnlyList<string> Rules);

/// <summary>Where a database source's extraction stands: the next window's start, the last (watermark, key) read, when it moved.</summary>
public sealed record WatermarkView(string? Position, IReadOnlyList<string>? Cursor, DateTimeOffset UpdatedAt);

/// <summary>One load of a source: a file, or a database window with rows.</summary>
public sealed record SourceLoadView(long LoadId, string Path, long RowsLoaded, long RowsRejected, long Bytes, DateTimeOffset At);

/// <summary>One extraction window (or failure, or skip) of a database source.</summary>
public sealed record ExtractionView(long Id, Guid? RunId, string? WindowFrom, string? WindowTo, long Rows, long Rejected, long Bytes, long DurationMs,
    string Status, string? Error, string? Warning, DateTimeOffset At);

/// <summary>
/// A declared source: where its rows come from (<c>kind</c> files or database), its columns and rules, key and
/// identity, and what became of it lately (the watermark, the latest extractions, the latest loads).
/// </summary>
public sealed record SourceView(
    string Key, string Kind, string Description, string File, string From, string? Format, string? Connection, string? Watermark, string? Window,
    string? Lag, IReadOnlyList<SourceColumnView> Columns, IReadOnlyList<string> PrimaryKey, string? Identity, string? EventTime,
    WatermarkView? State, IReadOnlyList<ExtractionView> Extractions, IReadOnlyList<SourceLoadView> Loads, long TotalRows, long TotalRejected);

/// <summary>The declared sources of the project and their state, for <c>/api/sources</c>.</summary>
public sealed class SourceCatalog(AssetProject project, IIngestManifest manifest, ExtractionStore extractionStore)
{
    /// <summary>The most loads or extractions one source's view lists.</summary>
    public const int MaxHistory = 100;

    public IEnumerable<AssetDefinition> Sources => project.Graph.TopologicalOrder.Select(k => project.Graph[k]).Where(a => a.Source is not null);

    public async Task<IReadOnlyList<SourceView>> ListAsync(int history, CancellationToken cancellationToken)
    {
        var views = new List<SourceView>();
        foreach (var source in Sources)
        {
            views.Add(await ViewAsync(source, history, cancellationToken));
        }

        return views;
    }

    public async Task<SourceView> ViewAsync(AssetDefinition source, int history, CancellationToken cancellationToken)
    {
        var declaration = source.Source!;
        var (kind, from, format, connection) = declaration.Origin switch
        {
            DatabaseOrigin db => ("database", db.Table ?? "(query)", (string?)null, db.Connection),
            FileOrigin files => ("files", files.Location, files.Format.ToString().ToLowerInvariant() + (files.Sheet is { } sheet ? $", sheet '{sheet}'" : ""), (string?)null),
            _ => ("unknown", "", null, null),
        };
        var database = declaration.Origin as DatabaseOrigin;
        var extractions = database is null ? [] : await extractionStore.ListAsync(source.Key.Name, history, cancellationToken);
        var loads = await manifest.LoadsAsync(source.Key.Name, Math.Clamp(history, 1, MaxHistory), cancellationToken);
        var position = database is null ? null : await manifest.PositionAsync(source.Key.Name, cancellationToken);
        return new SourceView(
            source.Key.Name, kind, source.Description, source.SourcePath, from, format, connection, database?.Watermark,
            database is null ? null : Duration(database.Window), database is null ? null : Duration(database.Lag),
            declaration.Columns.Select(Column).ToList(), declaration.PrimaryKey,
            declaration.Identity is { } identity ? $"{identity.Column} = hash({string.Join(", ", identity.Hash.Concat(identity.HashWhenPresent.Select(c => c + " when present")))})" : null,
            declaration.EventTime,
            position is null ? null : new WatermarkView(position.Position, position.Cursor, position.UpdatedAt),
            extractions.Select(e => new ExtractionView(e.Id, e.RunId, e.WindowFrom, e.WindowTo, e.Rows, e.Rejected, e.Bytes, e.DurationMs, e.Status, e.Error,
                e.Warning, e.FinishedAt)).ToList(),
            loads.Latest.Select(l => new SourceLoadView(l.LoadId, l.Path, l.RowsLoaded, l.RowsRejected, l.Bytes, l.At)).ToList(),
            loads.TotalLoaded, loads.TotalRejected);
    }

    private static SourceColumnView Column(SourceColumn column)
    {
        var rules = new List<string>();
        if (column.AcceptedValues.Count > 0)
        {
            rules.Add("one of " + string.Join(", ", column.AcceptedValues));
        }

        if (column.Pattern is { } pattern)
        {
            rules.Add(pattern.Means);
        }

        if (column.Min is { } min)
        {
            rules.Add($"at least {min.ToString(CultureInfo.InvariantCulture)}");
        }

        if (column.Max is { } max)
        {
            rules.Add($"at most {max.ToString(CultureInfo.InvariantCulture)}");
        }

        if (column.MaxLength != SourceDeclaration.MaxFieldLength)
        {
            rules.Add($"at most {column.MaxLength:N0} characters");
        }

        if (column.When is { } when)
        {
            rules.Add($"{(column.Required ? "required " : "")}when {when.Column} is {string.Join(" or ", when.Values)}");
        }

        return new SourceColumnView(column.Name, column.Type.ToString().ToLowerInvariant(), column.Required && column.When is null, rules);
    }

    private static string Duration(TimeSpan span) =>
        span == TimeSpan.Zero ? "0" : span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? $"{span.TotalMinutes:0}m" : $"{span.TotalSeconds:0}s";
}
