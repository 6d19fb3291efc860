namespace Analytics.Core.Sources;

/// <summary>
/// A row identity computed at load: <see cref="Column"/> (a uuid) holds a 128-bit hash of the normalised values of
/// <see cref="Hash"/>, then of <see cref="HashWhenPresent"/> for each that the file has, so adding an optional column
/// to a source later keeps the ids of the files without it.
/// </summary>
public sealed record SourceIdentity(string Column, IReadOnlyList<string> Hash, IReadOnlyList<string> HashWhenPresent);
