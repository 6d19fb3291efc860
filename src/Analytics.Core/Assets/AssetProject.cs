using Analytics.Core.Graph;
using Analytics.Core.Templating;

namespace Analytics.Core.Assets;

/// <summary>The assets declared in an <c>assets-sql/</c> folder, their templates and their graph.</summary>
public sealed class AssetProject
{
    private readonly IReadOnlyDictionary<string, SqlTemplate> _templates;

    public AssetProject(IReadOnlyList<(AssetDefinition Asset, SqlTemplate Template)> assets)
    {
        var duplicate = assets.GroupBy(a => a.Asset.Key.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new AssetDeclarationException(
                $"Asset '{duplicate.Key}' is declared twice: {string.Join(" and ", duplicate.Select(a => a.Asset.SourcePath))}. Rename one file.");
        }

        var names = assets.Select(a => a.Asset.Key.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (asset, template) in assets)
        {
            foreach (var (name, line) in template.References().Where(r => !names.Contains(r.Name)))
            {
                throw new AssetDeclarationException(
                    $"{asset.SourcePath}:{line}: ref('{name}') names no asset.{NameSuggestions.DidYouMean(name, names)}");
            }

            foreach (var (name, _) in asset.Checks.Where(c => c.Expression is not null)
                         .SelectMany(c => AssetFileParser.CheckTemplate(asset.SourcePath, c).References()).Where(r => !names.Contains(r.Name)))
            {
                throw new AssetDeclarationException(
                    $"{asset.SourcePath}: a check's ref('{name}') names no asset.{NameSuggestions.DidYouMean(name, names)}");
            }

            foreach (var check in asset.Checks.Where(c => c.ToAsset is not null && !names.Contains(c.ToAsset.Name)))
            {
                throw new AssetDeclarationException(
                    $"{asset.SourcePath}: check '{check.Name}' relates to '{check.ToAsset}', which is no asset.{NameSuggestions.DidYouMean(check.ToAsset!.Name, names)}");
            }
        }

        _templates = assets.ToDictionary(a => a.Asset.Key.Name, a => a.Template, StringComparer.Ordinal);
        Graph = new AssetGraph(assets.Select(a => a.Asset));
    }

    public AssetGraph Graph { get; }

    /// <summary>The dashboards of <c>dashboards.yml</c> beside the assets (none without it), checked against the graph when loaded.</summary>
    public IReadOnlyList<Dashboards.Dashboard> Dashboards { get; private set; } = [];

    /// <summary>Where <see cref="Dashboards"/> were read from, as messages name it.</summary>
    public string DashboardsPath { get; private set; } = Analytics.Core.Dashboards.DashboardFile.FileName;

    public SqlTemplate TemplateOf(string key) => _templates[key];

    /// <summary>Loads every <c>&lt;layer&gt;/&lt;key&gt;.sql</c> below <paramref name="root"/>.</summary>
    public static AssetProject Load(string root)
    {
        if (!Directory.Exists(root))
        {
            throw new AssetDeclarationException($"The assets folder '{root}' does not exist; run from the repository root or set ANALYTICS_ASSETS.");
        }

        var files = Directory.EnumerateFiles(root, "*.sql", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        var assets = new List<(AssetDefinition, SqlTemplate)>();
        foreach (var file in files)
        {
            var layer = Path.GetFileName(Path.GetDirectoryName(file))!;
            var relative = Path.GetRelativePath(Directory.GetParent(root)?.FullName ?? root, file);
            try
            {
                assets.Add(AssetFileParser.Parse(relative, layer, File.ReadAllText(file)));
            }
            catch (TemplateException e)
            {
                throw new AssetDeclarationException(e.Message);
            }
        }

        var project = new AssetProject(assets);
        var dashboards = Path.Combine(root, Analytics.Core.Dashboards.DashboardFile.FileName);
        var shown = Path.GetRelativePath(Directory.GetParent(root)?.FullName ?? root, dashboards);
        if (File.Exists(dashboards))
        {
            project.Dashboards = Analytics.Core.Dashboards.DashboardFile.Parse(shown, File.ReadAllText(dashboards), project.Graph);
            project.DashboardsPath = shown;
        }

        return project;
    }

    /// <summary>The SQL the warehouse runs for <paramref name="key"/>.</summary>
    public string Compile(string key, ISqlDialect dialect, bool incremental = false) =>
        _templates[key].Render(Context(key, dialect, incremental));

    /// <summary>
    /// The SQL of an incremental build of <paramref name="key"/>: changed() covers <paramref name="window"/> and
    /// affected() is <paramref name="affected"/>.
    /// </summary>
    public string CompileIncremental(string key, ISqlDialect dialect, ChangeWindow window, string affected, string? affectedDays = null,
        string? affectedStart = null) =>
        _templates[key].Render(Context(key, dialect, true) with
        {
            ResolveChanged = Changed(dialect, window),
            Affected = affected,
            AffectedDays = affectedDays,
            AffectedStart = affectedStart,
            IsBackfill = window.IsBackfill,
            PreviousLoad = window.PreviousLoad,
        });

    /// <summary>Whether the asset's SQL calls <paramref name="function"/> (<c>this</c>, <c>affected_days</c>, ...).</summary>
    public bool Uses(string key, string function) => _templates[key].Uses(function);

    /// <summary>The asset's <c>affected:</c> query (or <paramref name="fallback"/>), its changed() covering <paramref name="window"/>.</summary>
    public string CompileAffected(string key, ISqlDialect dialect, ChangeWindow window, string fallback)
    {
        var asset = Graph[key];
        var template = AssetFileParser.AffectedTemplate(asset.SourcePath, asset.Incremental?.Affected ?? fallback);
        return template.Render(Context(key, dialect, true) with { ResolveChanged = Changed(dialect, window), PreviousLoad = window.PreviousLoad, IsBackfill = window.IsBackfill });
    }

    private Func<string, string?> Changed(ISqlDialect dialect, ChangeWindow? window) => name =>
        Graph.Contains(name) && Graph[name].LoadId is not null
            ? window is null ? dialect.Relation(Graph[name].Schema, name) : window.Render(Graph[name], dialect)
            : null;

    /// <summary>The SQL of one of the asset's expression or query checks, with its ref() and this resolved.</summary>
    public string CompileCheck(string key, CheckDefinition check, ISqlDialect dialect) =>
        AssetFileParser.CheckTemplate(Graph[key].SourcePath, check).Render(Context(key, dialect, incremental: false));

    /// <summary>A query that is no asset (an alert rule's), with its ref() resolved; it has no <c>this</c>.</summary>
    public string CompileQuery(SqlTemplate template, ISqlDialect dialect) =>
        template.Render(new RenderContext(dialect, "(this is not defined outside an asset)", false,
            name => Graph.Contains(name) ? dialect.Relation(Graph[name].Schema, name) : null));

    private RenderContext Context(string key, ISqlDialect dialect, bool incremental)
    {
        var asset = Graph[key];
        return new RenderContext(
            dialect,
            dialect.Relation(asset.Schema, asset.Key.Name),
            incremental,
            name => Graph.Contains(name) ? dialect.Relation(Graph[name].Schema, name) : null)
        {
            ResolveChanged = Changed(dialect, null),
        };
    }
}
