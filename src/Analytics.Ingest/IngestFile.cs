using System.Security.Cryptography;
using Analytics.Core.Assets;
using Analytics.Core.Sources;

namespace Analytics.Ingest;

/// <summary>
/// A file opened once for ingest. Its SHA-256 (the identity the manifest keys idempotency on) is taken from the open
/// handle, and taken again from the very bytes the reader then consumes; <see cref="EnsureUnchanged"/> refuses the
/// load when the two differ. So a file renamed over meanwhile is still read whole from what was hashed, and a file
/// rewritten in place is refused (and read again once it stops changing) rather than recorded with another's rows.
/// </summary>
public sealed class IngestFile : IDisposable
{
    /// <summary>The declaration of a file source, or why <paramref name="source"/> is none.</summary>
    public static SourceDeclaration Declaration(AssetDefinition source) => source.Source is { Origin: FileOrigin } declaration
        ? declaration
        : throw new InvalidOperationException(source.Source is null
            ? $"{source.SourcePath}: '{source.Key.Name}' declares no columns, so there is nothing to load files by; declare them (see the README's Sources)."
            : $"{source.SourcePath}: '{source.Key.Name}' is read from a database, not from files; materialize it to extract it.");

    private readonly FileStream _stream;
    private HashingStream? _reading;

    private IngestFile(FileStream stream, string hash, long bytes, bool utf16)
    {
        _stream = stream;
        Hash = hash;
        Bytes = bytes;
        StartsWithUtf16ByteOrderMark = utf16;
    }

    public string Hash { get; }

    public long Bytes { get; }

    public bool StartsWithUtf16ByteOrderMark { get; }

    public static async Task<IngestFile> OpenAsync(string file, CancellationToken cancellationToken)
    {
        var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        try
        {
            var start = new byte[2];
            var utf16 = await stream.ReadAtLeastAsync(start, 2, throwOnEndOfStream: false, cancellationToken) == 2
                        && start[0] + start[1] == 0xFF + 0xFE && start[0] is 0xFF or 0xFE;
            stream.Position = 0;
            var hashing = new HashingStream(stream);
            await hashing.CopyToAsync(Stream.Null, cancellationToken);
            var (hash, bytes) = hashing.Finish();
            return new IngestFile(stream, hash, bytes, utf16);
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>The file's bytes from the start, hashed again as they are read. Once per file.</summary>
    public Stream Read()
    {
        if (_reading is not null)
        {
            throw new InvalidOperationException("An ingest file is read once.");
        }

        _stream.Position = 0;
        return _reading = new HashingStream(_stream);
    }

    /// <summary>Reads what the reader left, then refuses the load if the bytes read are not the bytes hashed.</summary>
    public void EnsureUnchanged(string path)
    {
        var reading = _reading ?? throw new InvalidOperationException("The file was not read.");
        reading.CopyTo(Stream.Null);
        var (hash, bytes) = reading.Finish();
        if (hash != Hash || bytes != Bytes)
        {
            throw new IngestException(path, 0, $"the file changed while it was being read ({Bytes:N0} bytes when hashed, {bytes:N0} bytes read, "
                                               + "other content); it is read again once it stops changing");
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>A read-only pass over a stream that hashes and counts what goes through it.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _bytes;

        public (string Hash, long Bytes) Finish()
        {
            var hash = Convert.ToHexStringLower(_hash.GetHashAndReset());
            _hash.Dispose();
            return (hash, _bytes);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _hash.AppendData(buffer[..read]);
            _bytes += read;
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _hash.AppendData(buffer.Span[..read]);
            _bytes += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _bytes; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // The file's handle belongs to IngestFile, which disposes it; disposing this pass leaves it open.
        protected override void Dispose(bool disposing) => base.Dispose(disposing);
    }
}
