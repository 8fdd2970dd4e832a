using System.Runtime.InteropServices;

namespace CreditEdge.Core.IO;

/// <summary>
/// Who owns a file, and giving a file to another owner: .NET has no API for either, so this calls libc's <c>statx</c>
/// (its <c>struct statx</c> has one layout on every Linux architecture, unlike <c>struct stat</c>) and <c>chown</c>.
/// Used by <c>cedge</c> run as root, so that files it writes into the agent's data directory stay the agent's.
/// </summary>
public static partial class FileOwner
{
    private const int AtCurrentDirectory = -100; // AT_FDCWD
    private const uint StatxUid = 0x8; // STATX_UID
    private const uint StatxGid = 0x10; // STATX_GID
    private const int StatxSize = 256; // sizeof(struct statx)
    private const int UidOffset = 20; // stx_mask u32, stx_blksize u32, stx_attributes u64, stx_nlink u32 → stx_uid
    private const int GidOffset = 24;

    /// <summary>The owner (uid, gid) of <paramref name="path"/>; throws <see cref="IOException"/> naming it and errno.</summary>
    public static (uint Uid, uint Gid) Of(string path)
    {
        var buffer = new byte[StatxSize];
        if (Statx(AtCurrentDirectory, path, 0, StatxUid | StatxGid, buffer) != 0)
        {
            throw new IOException($"cannot read the owner of {path} (errno {Marshal.GetLastPInvokeError()})");
        }

        return (BitConverter.ToUInt32(buffer, UidOffset), BitConverter.ToUInt32(buffer, GidOffset));
    }

    /// <summary>Gives <paramref name="path"/> to <paramref name="uid"/>:<paramref name="gid"/>; throws <see cref="IOException"/> naming it and errno.</summary>
    public static void Change(string path, uint uid, uint gid)
    {
        if (Chown(path, uid, gid) != 0)
        {
            throw new IOException($"cannot give {path} to uid {uid} gid {gid} (errno {Marshal.GetLastPInvokeError()})");
        }
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, [Out] byte[] buffer);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Chown(string path, uint uid, uint gid);
}
