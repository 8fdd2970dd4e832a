using System.Runtime.InteropServices;

namespace CreditEdge.Core.IO;

/// <summary>
/// fsync of a directory, so a rename or delete in it survives a power cut. .NET cannot open a directory as a file, so this
/// calls libc's <c>open(O_RDONLY)</c> + <c>fsync</c> itself (Linux, the product's only platform; O_RDONLY is 0 on every
/// Linux architecture, unlike O_DIRECTORY, whose value differs between x86-64 and arm64). Used by the package transfer
/// (chunk staging) and the agent's model slots.
/// </summary>
public static partial class DirectorySync
{
    private const int ReadOnly = 0; // O_RDONLY

    /// <summary>fsyncs <paramref name="directory"/> itself (its entries: creations, renames, deletions); throws <see cref="IOException"/> naming it and errno.</summary>
    public static void Flush(string directory)
    {
        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to fsync it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
