using System.Runtime.InteropServices;

namespace Analytics.Orchestration;

/// <summary>
/// What a path is, without following a link or opening it: .NET reports a FIFO, a socket or a device as an ordinary
/// file, and opening a FIFO to read blocks until something writes to it. Asked through Linux's <c>statx</c>, whose
/// layout is the same on every architecture.
/// </summary>
internal static partial class LocalFileKind
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;

    /// <summary>The kind of <paramref name="path"/> itself (a link is a link): "regular file", "directory", "FIFO", ...; null when it cannot be told.</summary>
    public static string? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[256]; // struct statx
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            return null;
        }

        var mode = BitConverter.ToUInt16(buffer[28..30]); // stx_mode
        return (mode & 0xF000) switch
        {
            0x8000 => RegularFile,
            0x4000 => "directory",
            0xA000 => "symbolic link",
            0x1000 => "FIFO (named pipe)",
            0xC000 => "socket",
            0x2000 => "character device",
            0x6000 => "block device",
            _ => "file of an unknown kind",
        };
    }

    public const string RegularFile = "regular file";

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Statx(int directory, string path, int flags, uint mask, ref byte buffer);
}
