namespace Analytics.Ingest;

/// <summary>Rejected rows wait here, on disk, while the valid ones stream into COPY; memory stays flat.</summary>
public sealed class RejectSpool : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"analytics-rejects-{Guid.NewGuid():N}.bin");
    private readonly FileStream _stream;
    private readonly BinaryWriter _writer;

    public RejectSpool()
    {
        _stream = new FileStream(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        _writer = new BinaryWriter(_stream);
    }

    public long Count { get; private set; }

    public void Add(long line, string rawText, string reason)
    {
        _writer.Write(line);
        _writer.Write(rawText);
        _writer.Write(reason);
        Count++;
    }

    public IEnumerable<(long Line, string RawText, string Reason)> ReadAll()
    {
        _writer.Flush();
        _stream.Position = 0;
        using var reader = new BinaryReader(_stream, System.Text.Encoding.UTF8, leaveOpen: true);
        for (var i = 0; i < Count; i++)
        {
            yield return (reader.ReadInt64(), reader.ReadString(), reader.ReadString());
        }
    }

    public void Dispose()
    {
        _writer.Dispose();
        _stream.Dispose();
    }
}
