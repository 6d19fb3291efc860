namespace Analytics.Core.Templating;

/// <summary>What a template needs to render: the dialect, how refs resolve, and whether this build is incremental.</summary>
public sealed record RenderContext(ISqlDialect Dialect, string This, bool IsIncremental, Func<string, string?> ResolveRef);
