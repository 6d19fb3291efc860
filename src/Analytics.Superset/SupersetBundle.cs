using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using YamlDotNet.Serialization;

namespace Analytics.Superset;

/// <summary>
/// A Superset v1 import bundle: files under one root folder of a zip, each a YAML document (metadata.yaml,
/// databases/, datasets/&lt;database&gt;/, charts/, dashboards/), as Superset's exporters write them and its
/// <c>commands/importers/v1</c> read them.
/// </summary>
public sealed class SupersetBundle
{
    public const string Root = "analytics_growth";

    /// <summary>What Superset's exports put in place of a password (<c>PASSWORD_MASK</c>).</summary>
    public const string PasswordMask = "XXXXXXXXXX";

    public const string Version = "1.0.0";

    /// <summary>Strings PyYAML would read as another type (a timestamp, <c>on</c>, <c>012</c>) are written quoted, as Superset's exports do.</summary>
    private static readonly ISerializer Yaml = PyYaml.Serializer();

    /// <summary>Files by path inside the root folder (e.g. <c>charts/dau.yaml</c>), as YAML text.</summary>
    public SortedDictionary<string, string> Files { get; } = new(StringComparer.Ordinal);

    public void Add(string path, object document) => Files[path] = Yaml.Serialize(document);

    public void WriteZip(Stream output)
    {
        using var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (path, text) in Files)
        {
            var entry = zip.CreateEntry($"{Root}/{path}", CompressionLevel.Optimal);
            using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
            writer.Write(text);
        }
    }

    /// <summary>Reads a bundle zip back (its files by path below the root folder), for validation.</summary>
    public static SupersetBundle ReadZip(Stream input)
    {
        var bundle = new SupersetBundle();
        using var zip = new ZipArchive(input, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in zip.Entries.Where(e => e.Length > 0 || !e.FullName.EndsWith('/')))
        {
            var slash = entry.FullName.IndexOf('/');
            var path = slash < 0 ? entry.FullName : entry.FullName[(slash + 1)..];
            using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
            bundle.Files[path] = reader.ReadToEnd();
        }

        return bundle;
    }

    /// <summary>
    /// A UUID that is the same for the same name on every run, so importing a new bundle over an old one updates
    /// the same database, datasets, charts and dashboard instead of adding copies (version 5 layout over SHA-1).
    /// </summary>
    public static Guid StableUuid(string name)
    {
        var hash = SHA1.HashData(Encoding.UTF8.GetBytes("analytics-superset:" + name));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}
