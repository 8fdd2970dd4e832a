using System.Buffers;

namespace CreditEdge.Messaging.Transfer;

/// <summary>
/// What a device must fetch to hold one package archive: the archive's SHA-256 (lower-case hex, also the chunks' topic
/// name, <see cref="Topics.PackageChunk"/>), its size in bytes, the chunk size (every chunk but the last is exactly this
/// long) and each chunk's SHA-256 in index order. Taken from the signed desired-state message; <see cref="Validate"/>
/// refuses a plan that does not add up before anything is fetched.
/// </summary>
public sealed record TransferPlan(string ArchiveSha256, long Size, int ChunkSize, IReadOnlyList<string> ChunkSha256)
{
    private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");

    /// <summary>Number of chunks: ceil(<see cref="Size"/> / <see cref="ChunkSize"/>).</summary>
    public int ChunkCount => ChunkSha256.Count;

    /// <summary>The length chunk <paramref name="index"/> must have: <see cref="ChunkSize"/>, the last one what is left.</summary>
    public int ChunkLength(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, ChunkCount);
        return (int)Math.Min(ChunkSize, Size - ((long)index * ChunkSize));
    }

    /// <summary>
    /// Throws <see cref="PackageTransferException"/> (reason <c>plan</c>) naming the field and the rule when the plan is not
    /// one archive split into chunks: each hash 64 lower-case hex digits, size ≥ 1, chunk size ≥ 1, chunk count = ceil(size / chunk size).
    /// </summary>
    public void Validate()
    {
        if (!IsSha256Hex(ArchiveSha256))
        {
            throw Refused($"archiveSha256 '{Shorten(ArchiveSha256)}' is not 64 lower-case hex digits");
        }

        if (Size < 1)
        {
            throw Refused($"size {Size} is not at least 1");
        }

        if (ChunkSize < 1)
        {
            throw Refused($"chunkSize {ChunkSize} is not at least 1");
        }

        if (ChunkSha256 is null)
        {
            throw Refused("chunkSha256 is missing");
        }

        var expected = (Size + ChunkSize - 1) / ChunkSize;
        if (ChunkSha256.Count != expected)
        {
            throw Refused($"chunkSha256 has {ChunkSha256.Count} entries; size {Size} in chunks of {ChunkSize} needs {expected}");
        }

        for (var i = 0; i < ChunkSha256.Count; i++)
        {
            if (!IsSha256Hex(ChunkSha256[i]))
            {
                throw Refused($"chunkSha256[{i}] '{Shorten(ChunkSha256[i])}' is not 64 lower-case hex digits");
            }
        }
    }

    /// <summary>True for exactly 64 characters of 0-9 and a-f.</summary>
    public static bool IsSha256Hex(string? value) =>
        value is { Length: 64 } && value.AsSpan().IndexOfAnyExcept(LowerHex) < 0;

    private static PackageTransferException Refused(string detail) => new(PackageTransferException.Reasons.Plan, $"transfer plan refused: {detail}");

    private static string Shorten(string? value) => value is null ? "null" : value.Length <= 80 ? value : $"{value[..80]}…";
}
