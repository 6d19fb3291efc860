using Analytics.Core.Sources;

namespace Analytics.Core.Ingest;

/// <summary>
/// A valid source row, typed, one value per declared column (in declaration order), reused from row to row by the
/// validator that fills it. <see cref="Id"/> is the row's identity when the source declares one.
/// </summary>
public sealed class SourceRow(SourceDeclaration source)
{
    public SourceDeclaration Source { get; } = source;

    public FieldValue[] Values { get; } = new FieldValue[source.Columns.Count];

    /// <summary>The identity of this row (see <see cref="RowIdentity"/>); empty when the source declares none.</summary>
    public Guid Id { get; internal set; }

    /// <summary>The text of column <paramref name="name"/>, or null when it is null or not declared.</summary>
    public string? TextOf(string name)
    {
        for (var i = 0; i < Source.Columns.Count; i++)
        {
            if (Source.Columns[i].Name == name)
            {
                return Values[i].IsNull ? null : Values[i].Text;
            }
        }

        return null;
    }
}
