namespace Analytics.Core.Templating;

/// <summary>Renders the few constructs whose SQL differs between warehouses.</summary>
public interface ISqlDialect
{
    string Name { get; }

    string Relation(string schema, string name);

    /// <summary>The start (a date) of the day, ISO week or month containing <paramref name="expression"/>.</summary>
    string DateTrunc(DatePart part, string expression);

    /// <summary>Whole days, weeks or months from <paramref name="start"/> to <paramref name="end"/>.</summary>
    string DateDiff(DatePart part, string start, string end);

    /// <summary><paramref name="numerator"/> / <paramref name="denominator"/>, null when the denominator is 0.</summary>
    string SafeDivide(string numerator, string denominator);
}
