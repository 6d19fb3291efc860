namespace Analytics.Core.Assets;

/// <summary>An <see cref="Error"/> check that fails blocks downstream assets and fails the run; <see cref="Warn"/> only reports.</summary>
public enum CheckSeverity
{
    Error,
    Warn,
}
