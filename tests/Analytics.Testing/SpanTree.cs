namespace Analytics.Testing;

/// <summary>Questions about the parent links of exported spans.</summary>
public static class SpanTree
{
    /// <summary>The SQL statements (spans with a <c>db.*</c> attribute) anywhere below the span called <paramref name="name"/>.</summary>
    public static IReadOnlyList<OtlpSpan> SqlUnder(IReadOnlyList<OtlpSpan> spans, string name)
    {
        var children = spans.Where(s => s.ParentSpanId is not null).ToLookup(s => s.ParentSpanId!);
        var found = new List<OtlpSpan>();
        var frontier = new Queue<OtlpSpan>(spans.Where(s => s.Name == name));
        while (frontier.TryDequeue(out var span))
        {
            foreach (var child in children[span.SpanId])
            {
                if (child.Attributes.Keys.Any(k => k.StartsWith("db.", StringComparison.Ordinal)))
                {
                    found.Add(child);
                }

                frontier.Enqueue(child);
            }
        }

        return found;
    }

    /// <summary>The statement text of a SQL span, under either semantic-convention name.</summary>
    public static string Statement(OtlpSpan span) =>
        span.Attributes.GetValueOrDefault("db.query.text") ?? span.Attributes.GetValueOrDefault("db.statement") ?? "";
}
