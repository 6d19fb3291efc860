namespace Analytics.Core.Sources;

/// <summary>The types a declared source column may have; each maps to one warehouse type per dialect.</summary>
public enum SourceColumnType
{
    Text,
    Integer,
    Numeric,
    Timestamp,
    Date,
    Boolean,
}
