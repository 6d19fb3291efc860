namespace Analytics.Core.Assets;

/// <summary>An asset file that can't be understood; the message names the file, the line and the fix.</summary>
public sealed class AssetDeclarationException(string message) : Exception(message);
