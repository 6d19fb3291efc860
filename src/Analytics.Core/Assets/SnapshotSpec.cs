namespace Analytics.Core.Assets;

/// <summary>How a snapshot decides that a source row changed.</summary>
public enum SnapshotStrategy
{
    /// <summary>A row changed when its <c>updated_at</c> is later than the current version's; the version starts then.</summary>
    Timestamp,

    /// <summary>A row changed when one of the checked columns differs (nulls compared as values); the version starts at the run.</summary>
    Check,
}

/// <summary>What a snapshot does with a key that is no longer in its source (dbt 1.9's <c>hard_deletes</c>).</summary>
public enum HardDeletes
{
    /// <summary>Nothing: the last version stays current.</summary>
    Ignore,

    /// <summary>The current version is closed at the run.</summary>
    Invalidate,

    /// <summary>The current version is closed at the run and a version marked deleted (its last values) opens.</summary>
    NewRecord,
}

/// <summary>
/// The header of a <c>materialization: snapshot</c> asset (a type 2 slowly changing dimension): the key of a row,
/// how a change is seen, and what a missing key means.
/// </summary>
/// <param name="UniqueKey">The columns that name a row of the source; at most one current version per key.</param>
/// <param name="UpdatedAt">The timestamp column of the <see cref="SnapshotStrategy.Timestamp"/> strategy.</param>
/// <param name="CheckColumns">The columns the <see cref="SnapshotStrategy.Check"/> strategy compares; null for all of them.</param>
public sealed record SnapshotSpec(
    IReadOnlyList<string> UniqueKey, SnapshotStrategy Strategy, string? UpdatedAt, IReadOnlyList<string>? CheckColumns, HardDeletes HardDeletes)
{
    /// <summary>When the version became true (the source's <c>updated_at</c>, or the run's time).</summary>
    public const string ValidFrom = "valid_from";

    /// <summary>When the next version replaced it, or the key went; null while it is current.</summary>
    public const string ValidTo = "valid_to";

    public const string IsCurrent = "is_current";

    /// <summary>True on the version a <see cref="HardDeletes.NewRecord"/> delete opens.</summary>
    public const string IsDeleted = "is_deleted";

    /// <summary>The version's id: a hash of its key and <see cref="ValidFrom"/>.</summary>
    public const string ChangeId = "change_id";

    /// <summary>The load the run that wrote the version had taken in: what an incremental asset downstream follows.</summary>
    public const string RecordedLoad = "recorded_load";

    /// <summary>The load the run that closed the version had taken in; null while it is open.</summary>
    public const string ClosedLoad = "closed_load";

    /// <summary>The columns a snapshot adds to its source's, in the order they follow them.</summary>
    public static readonly IReadOnlyList<string> Bookkeeping = [ValidFrom, ValidTo, IsCurrent, IsDeleted, ChangeId, RecordedLoad, ClosedLoad];
}
