using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Analytics.Core.Sources;

namespace Analytics.Core.Ingest;

/// <summary>
/// A row's stable identity (raw_events' <c>event_id</c>): a 128-bit MurmurHash3 of the normalised values of the
/// identity's columns in order, so the same row gets the same id in every run and exact duplicates share one.
/// Each type has one encoding: a timestamp its UTC ticks; text its UTF-16 code units after their count (-1 for null,
/// so null and empty differ); a number a presence byte and its shortest decimal text ("516.0" and "516" are one
/// value); an integer, date or boolean a presence byte and its value. Computed once at load, where it costs a fraction
/// of what hashing in SQL does.
/// </summary>
public static class RowIdentity
{
    /// <summary>The identity of <paramref name="values"/> (of columns typed <paramref name="types"/>), over those at <paramref name="columns"/>, in order.</summary>
    [SkipLocalsInit]
    public static Guid Compute(SourceColumnType[] types, ReadOnlySpan<int> columns, FieldValue[] values)
    {
        // Loads call this once a row: no zeroing of the stack buffer, which is written before it is read.
        Span<byte> stack = stackalloc byte[512];
        var size = Size(types, columns, values);
        byte[]? rented = null;
        var buffer = size <= stack.Length ? stack : (rented = ArrayPool<byte>.Shared.Rent(size));
        try
        {
            var length = 0;
            foreach (var column in columns)
            {
                Write(buffer, ref length, types[column], in values[column]);
            }

            return ToGuid(buffer[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static int Size(SourceColumnType[] types, ReadOnlySpan<int> columns, FieldValue[] values)
    {
        var size = 0;
        foreach (var column in columns)
        {
            size += types[column] switch
            {
                SourceColumnType.Text => 4 + 2 * (values[column].Text?.Length ?? 0),
                SourceColumnType.Numeric => 1 + 4 + 2 * 64,
                _ => 1 + 8,
            };
        }

        return size;
    }

    [SkipLocalsInit]
    private static void Write(Span<byte> buffer, ref int length, SourceColumnType type, in FieldValue value)
    {
        switch (type)
        {
            case SourceColumnType.Timestamp:
                // A timestamp column the identity hashes is required: always present, so no presence byte.
                BinaryPrimitives.WriteInt64LittleEndian(buffer[length..], value.IsNull ? long.MinValue : value.Long);
                length += 8;
                break;
            case SourceColumnType.Text:
                var text = value.IsNull ? null : value.Text;
                var bytes = text is null ? [] : MemoryMarshal.AsBytes(text.AsSpan());
                BinaryPrimitives.WriteInt32LittleEndian(buffer[length..], text is null ? -1 : text.Length);
                length += 4;
                bytes.CopyTo(buffer[length..]);
                length += bytes.Length;
                break;
            case SourceColumnType.Numeric:
                buffer[length++] = value.IsNull ? (byte)0 : (byte)1;
                if (!value.IsNull)
                {
                    // "G29" drops trailing zeros (an integer-only path; decimal division is slow).
                    Span<char> digits = stackalloc char[64];
                    value.Decimal.TryFormat(digits, out var written, "G29", CultureInfo.InvariantCulture);
                    BinaryPrimitives.WriteInt32LittleEndian(buffer[length..], written);
                    length += 4;
                    MemoryMarshal.AsBytes(digits[..written]).CopyTo(buffer[length..]);
                    length += 2 * written;
                }

                break;
            default:
                buffer[length++] = value.IsNull ? (byte)0 : (byte)1;
                BinaryPrimitives.WriteInt64LittleEndian(buffer[length..], value.IsNull ? 0 : value.Long);
                length += 8;
                break;
        }
    }

    private static Guid ToGuid(ReadOnlySpan<byte> canonical)
    {
        var (h1, h2) = Murmur3.Hash128(canonical);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, h1);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], h2);
        return new Guid(bytes, bigEndian: true);
    }
}
