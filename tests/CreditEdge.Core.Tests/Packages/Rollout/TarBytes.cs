using System.Formats.Tar;
using System.Text;

namespace CreditEdge.Core.Tests.Packages.Rollout;

/// <summary>Hand-made tar archives for refusal and fuzz tests, including what a well-behaved writer would never produce.</summary>
public static class TarBytes
{
    public const int Block = 512;
    private const int NameOffset = 0;
    private const int ChecksumOffset = 148;
    private const int MagicOffset = 257;

    /// <summary>A ustar archive of the given entries, written by <see cref="TarWriter"/>.</summary>
    public static byte[] Of(params TarEntry[] entries)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                writer.WriteEntry(entry);
            }
        }

        return buffer.ToArray();
    }

    public static UstarTarEntry File(string name, string content) =>
        new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) };

    /// <summary>A one-file archive whose header name is <paramref name="name"/> byte for byte (NUL, backslash, anything), checksum fixed.</summary>
    public static byte[] WithRawName(byte[] name, string content = "x")
    {
        var bytes = Of(File(new string('n', name.Length), content));
        Array.Clear(bytes, NameOffset, 100);
        name.CopyTo(bytes, NameOffset);
        FixChecksums(bytes);
        return bytes;
    }

    /// <summary>Recomputes the checksum of every block that carries the ustar magic, so mutated headers get past the checksum.</summary>
    public static void FixChecksums(byte[] bytes)
    {
        for (var at = 0; at + Block <= bytes.Length; at += Block)
        {
            if (!bytes.AsSpan(at + MagicOffset, 5).SequenceEqual("ustar"u8))
            {
                continue;
            }

            var header = bytes.AsSpan(at, Block);
            header.Slice(ChecksumOffset, 8).Fill((byte)' ');
            var sum = 0;
            foreach (var b in header)
            {
                sum += b;
            }

            Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(header[ChecksumOffset..]);
        }
    }
}
