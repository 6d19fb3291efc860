namespace Analytics.Core.Assets;

/// <summary>A data test declared in an asset's header.</summary>
public sealed record CheckDefinition(
    string Name,
    CheckKind Kind,
    CheckSeverity Severity,
    IReadOnlyList<string> Columns,
    IReadOnlyList<string> Values,
    string? Expression = null,
    AssetKey? ToAsset = null,
    string? ToColumn = null,
    long? Min = null,
    long? Max = null);
