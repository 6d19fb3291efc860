using System.Buffers.Binary;

namespace Analytics.Ingest;

/// <summary>
/// Reads PostgreSQL's binary COPY output tuple by tuple from one buffer that is refilled as it empties: after each
/// <see cref="ReadAsync"/>, <see cref="Fields"/> is the tuple and <see cref="Starts"/>/<see cref="Lengths"/> place each
/// field's payload in it (length -1 for null). Nothing is allocated a row.
/// </summary>
internal sealed class CopyTupleReader(Stream stream, int fieldCount)
{
    // "PGCOPY\n\xff\r\n\0", then the flags and the header extension's length.
    private static readonly byte[] Signature = [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00];
    /// <summary>The largest row read (a source column declared with a high max_length may hold long text, not this much).</summary>
    public const int MaxRowBytes = 1 << 28;

    private byte[] _buffer = new byte[1 << 17];
    private int _start;
    private int _end;
    private int _tuple;
    private bool _headerRead;

    public int[] Starts { get; } = new int[fieldCount];

    public int[] Lengths { get; } = new int[fieldCount];

    public ReadOnlySpan<byte> Fields => _buffer.AsSpan(_start, _tuple);

    /// <summary>The bytes of the current tuple's values, its length words left out.</summary>
    public int PayloadLength { get; private set; }

    /// <summary>Moves to the next tuple; false at the trailer, after which the stream has been read to its end.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        _start += _tuple;
        _tuple = 0;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            if (!_headerRead)
            {
                if (available.Length >= Signature.Length + 8 && available.Length >= Signature.Length + 8 + BinaryPrimitives.ReadInt32BigEndian(available[15..]))
                {
                    if (!available[..Signature.Length].SequenceEqual(Signature))
                    {
                        throw new InvalidDataException("the source database's COPY output is not in binary format");
                    }

                    _start += Signature.Length + 8 + BinaryPrimitives.ReadInt32BigEndian(available[15..]);
                    _headerRead = true;
                    continue;
                }
            }
            else if (available.Length >= 2 && BinaryPrimitives.ReadInt16BigEndian(available) == -1)
            {
                // The trailer: read on to the end, so the COPY completes on the connection.
                while (await stream.ReadAsync(_buffer, cancellationToken) > 0)
                {
                }

                _start = _end = 0;
                return false;
            }
            else if (TryTuple(available))
            {
                return true;
            }

            await FillAsync(cancellationToken);
        }
    }

    /// <summary>Places the tuple at the start of <paramref name="available"/>, if all of it is there.</summary>
    private bool TryTuple(ReadOnlySpan<byte> available)
    {
        if (available.Length < 2)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadInt16BigEndian(available);
        if (count != fieldCount)
        {
            throw new InvalidDataException($"the source database sent a row of {count} fields where {fieldCount} were asked for");
        }

        var at = 2;
        var payload = 0;
        for (var i = 0; i < count; i++)
        {
            if (available.Length < at + 4)
            {
                return false;
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(available[at..]);
            at += 4;
            Starts[i] = at;
            Lengths[i] = length;
            if (length > 0)
            {
                at += length;
                payload += length;
            }
        }

        if (available.Length < at)
        {
            return false;
        }

        _tuple = at;
        PayloadLength = payload;
        return true;
    }

    /// <summary>Moves what is left to the front (growing the buffer for a tuple longer than it) and reads more.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var left = _end - _start;
        if (_start > 0)
        {
            _buffer.AsSpan(_start, left).CopyTo(_buffer);
            _start = 0;
            _end = left;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= MaxRowBytes)
            {
                throw new InvalidDataException($"a row of the source database is over {MaxRowBytes >> 20} MB; no declared column holds that much");
            }

            Array.Resize(ref _buffer, _buffer.Length * 2);
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        if (read == 0)
        {
            throw new EndOfStreamException("the source database's COPY output ended in the middle of a row");
        }

        _end += read;
    }
}
