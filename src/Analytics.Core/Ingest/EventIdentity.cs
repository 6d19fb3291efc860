using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Analytics.Core.Ingest;

/// <summary>
/// The stable <c>event_id</c>: a 128-bit MurmurHash3 of the eight normalised input values (UTC instant in
/// microseconds, trimmed text, numerically normalised miles), then the tenant when the row names one, so the same
/// event gets the same id in every run, exact duplicates share one, and a file without tenants keeps the ids it had
/// before tenants existed. Computed once at ingest, where it costs a fraction of what hashing in SQL does.
/// </summary>
public static class EventIdentity
{
    [SkipLocalsInit]
    public static Guid Compute(in EventRow row)
    {
        // Ingest calls this once a row: no zeroing of the stack buffer, which is written before it is read.
        Span<byte> buffer = stackalloc byte[512];
        var length = 0;
        BinaryPrimitives.WriteInt64LittleEndian(buffer, row.EventTime.Ticks);
        length += 8;
        if (!(Text(buffer, ref length, row.UserId) && Text(buffer, ref length, row.EventType) && Text(buffer, ref length, row.TransactionCategory)
              && Miles(buffer, ref length, row.MilesAmount)
              && Text(buffer, ref length, row.Platform) && Text(buffer, ref length, row.UtmSource) && Text(buffer, ref length, row.Country)
              && (row.TenantId is null || Text(buffer, ref length, row.TenantId))))
        {
            return ComputeLarge(row);
        }

        return ToGuid(buffer[..length]);
    }

    private static Guid ComputeLarge(in EventRow row)
    {
        // Values longer than the stack buffer are rare; the same layout on the heap gives the same id.
        var size = 256 + 2 * ((row.UserId.Length + row.EventType.Length + (row.TransactionCategory?.Length ?? 0)
                              + (row.Platform?.Length ?? 0) + (row.UtmSource?.Length ?? 0) + (row.Country?.Length ?? 0)
                              + (row.TenantId?.Length ?? 0)) + 8 * 5);
        var buffer = new byte[size];
        var length = 8;
        BinaryPrimitives.WriteInt64LittleEndian(buffer, row.EventTime.Ticks);
        Text(buffer, ref length, row.UserId);
        Text(buffer, ref length, row.EventType);
        Text(buffer, ref length, row.TransactionCategory);
        Miles(buffer, ref length, row.MilesAmount);
        Text(buffer, ref length, row.Platform);
        Text(buffer, ref length, row.UtmSource);
        Text(buffer, ref length, row.Country);
        if (row.TenantId is not null)
        {
            Text(buffer, ref length, row.TenantId);
        }

        return ToGuid(buffer.AsSpan(0, length));
    }

    private static Guid ToGuid(ReadOnlySpan<byte> canonical)
    {
        var (h1, h2) = Murmur3.Hash128(canonical);
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, h1);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], h2);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>Length-prefixed UTF-16; -1 for null, so null and empty differ.</summary>
    private static bool Text(Span<byte> buffer, ref int length, string? value)
    {
        var bytes = value is null ? [] : MemoryMarshal.AsBytes(value.AsSpan());
        if (length + 4 + bytes.Length > buffer.Length)
        {
            return false;
        }

        BinaryPrimitives.WriteInt32LittleEndian(buffer[length..], value is null ? -1 : value.Length);
        length += 4;
        bytes.CopyTo(buffer[length..]);
        length += bytes.Length;
        return true;
    }

    /// <summary>516.0 and 516 are one value: "G29" drops trailing zeros (an integer-only path; decimal division is slow).</summary>
    private static bool Miles(Span<byte> buffer, ref int length, decimal? value)
    {
        if (length + 1 + 4 + 2 * 64 > buffer.Length)
        {
            return false;
        }

        buffer[length++] = value is null ? (byte)0 : (byte)1;
        if (value is { } miles)
        {
            Span<char> text = stackalloc char[64];
            miles.TryFormat(text, out var written, "G29", CultureInfo.InvariantCulture);
            BinaryPrimitives.WriteInt32LittleEndian(buffer[length..], written);
            length += 4;
            MemoryMarshal.AsBytes(text[..written]).CopyTo(buffer[length..]);
            length += 2 * written;
        }

        return true;
    }
}
