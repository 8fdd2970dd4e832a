using System.Security.Cryptography;

namespace CreditEdge.Core.Packages.Rollout;

/// <summary>
/// An archive cut into fixed-size chunks for transfer: its SHA-256 and size, and the SHA-256 of each chunk (all lower-case
/// hex). Chunk <c>i</c> is bytes <c>[i·ChunkSize, min((i+1)·ChunkSize, Size))</c>; every chunk is full but the last.
/// </summary>
public sealed record PackageChunks(string Sha256, long Size, int ChunkSize, IReadOnlyList<string> ChunkHashes)
{
    /// <summary>64 KiB: small next to a board's memory and an MQTT packet, few enough messages for a few-MiB package.</summary>
    public const int DefaultChunkSize = 64 * 1024;

    /// <summary>Smallest chunk size accepted: 4 KiB.</summary>
    public const int MinChunkSize = 4 * 1024;

    /// <summary>Largest chunk size accepted: 1 MiB.</summary>
    public const int MaxChunkSize = 1024 * 1024;

    /// <summary>Reads <paramref name="archive"/> from its current position to its end, one chunk at a time.</summary>
    public static PackageChunks Compute(Stream archive, int chunkSize = DefaultChunkSize)
    {
        ArgumentNullException.ThrowIfNull(archive);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, MinChunkSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(chunkSize, MaxChunkSize);
        using var whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunks = new List<string>();
        var buffer = new byte[chunkSize];
        long size = 0;
        while (true)
        {
            var filled = archive.ReadAtLeast(buffer, chunkSize, throwOnEndOfStream: false);
            if (filled == 0)
            {
                break;
            }

            whole.AppendData(buffer, 0, filled);
            chunks.Add(Convert.ToHexStringLower(SHA256.HashData(buffer.AsSpan(0, filled))));
            size += filled;
            if (filled < chunkSize)
            {
                break;
            }
        }

        return new PackageChunks(Convert.ToHexStringLower(whole.GetHashAndReset()), size, chunkSize, chunks);
    }

    /// <summary>How many chunks an archive of <paramref name="size"/> bytes has: ⌈size / chunkSize⌉.</summary>
    public static long Count(long size, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chunkSize);
        return (size + chunkSize - 1) / chunkSize;
    }

    /// <summary>Byte length of chunk <paramref name="index"/> of an archive of <paramref name="size"/> bytes.</summary>
    public static int LengthOf(long size, int chunkSize, long index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count(size, chunkSize));
        return (int)Math.Min(chunkSize, size - (index * chunkSize));
    }
}
