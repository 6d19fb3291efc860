namespace Analytics.Core.Assets;

/// <summary>How an asset is stored in the warehouse.</summary>
public enum Materialization
{
    /// <summary>Loaded from outside the graph (e.g. by <c>analytics ingest</c>); materializing it only observes it.</summary>
    Source,
    Table,
    View,
    Incremental,

    /// <summary>History of a mutable source (type 2 slowly changing dimension): versions are added, never rebuilt.</summary>
    Snapshot,
}
