namespace Analytics.Core.Sources;

/// <summary>
/// A source declared as data in its asset header (<c>materialization: source</c> with <c>columns:</c> and <c>from:</c>):
/// its columns and rules, its key or identity, its event-time column and where its rows come from.
/// </summary>
public sealed record SourceDeclaration(IReadOnlyList<SourceColumn> Columns, SourceOrigin Origin)
{
    /// <summary>
    /// The longest value loaded unless a column says otherwise, in characters. Real values are a few dozen; a longer one
    /// is a broken row (a missing quote swallowing lines, say), rejected with its reason.
    /// </summary>
    public const int MaxFieldLength = 1_024;

    /// <summary>The column that names a row's tenant, when a source declares it.</summary>
    public const string TenantColumn = "tenant_id";

    /// <summary>The tenant of rows that name none.</summary>
    public const string DefaultTenant = "default";

    /// <summary>The most columns a source may declare.</summary>
    public const int MaxColumns = 500;

    /// <summary>The columns that identify a row; a database source upserts by them.</summary>
    public IReadOnlyList<string> PrimaryKey { get; init; } = [];

    public SourceIdentity? Identity { get; init; }

    /// <summary>The timestamp column whose UTC day dates a row (the asset's <c>partition_by</c>); checked against the accepted range.</summary>
    public string? EventTime { get; init; }

    /// <summary>The column erasure finds a subject by (with <c>tenant_id</c>, when declared); null when the source holds no subjects.</summary>
    public string? Subject { get; init; }

    /// <summary>
    /// <c>retention: {max_age: 400d}</c>: rows whose event time is older than this (by UTC day) are deleted by the
    /// retention job, and what was built from them follows; null keeps every row.
    /// </summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>The longest retention a source may declare: ten years.</summary>
    public static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3_660);

    /// <summary>The column a load writes its load id to (the asset's <c>load_id</c>).</summary>
    public string LoadIdColumn { get; init; } = "load_id";

    /// <summary>The declared column called <paramref name="name"/>, or null.</summary>
    public SourceColumn? Column(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>The columns a file must have: the required ones.</summary>
    public IEnumerable<string> RequiredColumns => Columns.Where(c => c.Required && c.When is null).Select(c => c.Name);
}
