namespace Analytics.Core.Templating;

/// <summary>
/// Renders the constructs whose SQL differs between warehouses: the cross-database macros of an asset file
/// (in the spirit of dbt's), so one asset file compiles for PostgreSQL and for BigQuery.
/// </summary>
public interface ISqlDialect
{
    string Name { get; }

    string Relation(string schema, string name);

    /// <summary>The start (a date) of the day, ISO week or month containing <paramref name="expression"/>.</summary>
    string DateTrunc(DatePart part, string expression);

    /// <summary>Whole days, weeks or months from <paramref name="start"/> to <paramref name="end"/>.</summary>
    string DateDiff(DatePart part, string start, string end);

    /// <summary>The date <paramref name="count"/> days, weeks or months after <paramref name="date"/>.</summary>
    string DateAdd(DatePart part, string count, string date);

    /// <summary><paramref name="numerator"/> / <paramref name="denominator"/>, null when the denominator is 0.</summary>
    string SafeDivide(string numerator, string denominator);

    /// <summary><paramref name="expression"/> as <paramref name="type"/>, a PostgreSQL type name the dialect maps.</summary>
    string Cast(string expression, string type);

    /// <summary>The UTC calendar date of a timestamp.</summary>
    string UtcDate(string timestamp);

    /// <summary>How many rows of the group satisfy <paramref name="condition"/>.</summary>
    string CountIf(string condition);

    /// <summary>
    /// <paramref name="function"/> (sum, min, max, avg or count_distinct) over <paramref name="expression"/> for the
    /// rows of the group that satisfy <paramref name="condition"/>.
    /// </summary>
    string AggregateIf(string function, string expression, string condition);

    /// <summary>A FROM-clause item that joins each row to the integers <paramref name="from"/>..<paramref name="to"/>, named <paramref name="column"/>.</summary>
    string JoinSeries(string column, string from, string to);

    /// <summary>Placed right after SELECT: the head of a keep-first-row-per-key query (see <see cref="KeepFirst"/>).</summary>
    string DistinctOn(string keys);

    /// <summary>Placed after FROM/WHERE: keeps the first row per <paramref name="keys"/> in <paramref name="order"/>.</summary>
    string KeepFirst(string keys, string order);

    /// <summary>
    /// Placed at the end of a subquery: a hint that the rows are wanted sorted on <paramref name="columns"/>, which
    /// lets PostgreSQL group them by streaming instead of hashing. Warehouses without the benefit drop it.
    /// </summary>
    string PresortedBy(string columns);

    /// <summary>A timestamp literal of <paramref name="at"/> (UTC, to the microsecond).</summary>
    string TimestampLiteral(DateTimeOffset at);

    /// <summary>A hex digest naming one version of a row: its <paramref name="keys"/> and the <paramref name="timestamp"/> it starts at.</summary>
    string VersionId(IReadOnlyList<string> keys, string timestamp);
}
