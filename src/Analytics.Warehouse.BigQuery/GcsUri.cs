namespace Analytics.Warehouse.BigQuery;

/// <summary>A <c>gs://bucket/prefix</c> address.</summary>
public readonly record struct GcsUri(string Bucket, string Name)
{
    public const string Scheme = "gs://";

    public static bool IsGcs(string text) => text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses <paramref name="text"/>; <paramref name="what"/> names the input in the error.</summary>
    public static GcsUri Parse(string text, string what)
    {
        if (!IsGcs(text))
        {
            throw new ArgumentException($"{what} is '{text}'; a Cloud Storage address starts with gs://, e.g. gs://my-bucket/events/.");
        }

        var rest = text[Scheme.Length..];
        var slash = rest.IndexOf('/');
        var bucket = slash < 0 ? rest : rest[..slash];
        var name = slash < 0 ? "" : rest[(slash + 1)..];
        // Bucket names: 3-63 (222 with dots) of lowercase letters, digits, '-', '_' and '.'.
        if (bucket.Length is < 3 or > 222 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException($"{what} is '{text}'; '{bucket}' is not a bucket name (3-222 lowercase letters, digits, '-', '_', '.').");
        }

        if (name.Length > 1024 || name.Any(char.IsControl))
        {
            throw new ArgumentException($"{what} is '{text}'; an object name is at most 1024 bytes and has no control characters.");
        }

        return new GcsUri(bucket, name);
    }

    public override string ToString() => Scheme + Bucket + "/" + Name;
}
