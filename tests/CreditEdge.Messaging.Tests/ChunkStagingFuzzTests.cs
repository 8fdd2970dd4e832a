using System.Security.Cryptography;
using CreditEdge.Messaging.Transfer;
using CreditEdge.TestKit;
using CsCheck;

namespace CreditEdge.Messaging.Tests;

/// <summary>
/// 10,000 hostile chunk messages (odd topics, out-of-range and non-canonical indexes, wrong, short, long and huge payloads,
/// the right bytes under the wrong index) through <see cref="ChunkStaging.Accept"/>, checked against a model of what it must
/// decide: nothing ever throws, only a chunk with its own bytes is written, and nothing lands outside the staging folder.
/// </summary>
public sealed class ChunkStagingFuzzTests
{
    private const int Cases = 10_000;

    [Fact]
    public void Accept_TenThousandHostileMessages_WritesOnlyVerifiedChunksInsideStaging()
    {
        using var root = new TempDirectory("fuzz-staging");
        var archive = TestArchive.Create(seed: 7, size: (600 * 32) - 7, chunkSize: 32);
        var count = archive.ChunkCount;
        var staging = new ChunkStaging(archive.Plan, ChunkStaging.DirectoryFor(root.Combine("data"), archive.Plan.ArchiveSha256));
        var huge = new byte[(1024 * 1024) + 1];
        var otherSha = Convert.ToHexStringLower(SHA256.HashData("another archive"u8));
        var prefix = archive.Topic(0)[..^1];
        string[] oddTopics =
        [
            "", "#", "+", "/", $"{prefix}", $"{prefix}+", $"{prefix}#", $"{prefix}../../../etc/passwd", $"{prefix}..", $"{prefix}1/extra",
            $"{prefix}-1", $"{prefix}+1", $"{prefix} 1", $"{prefix}1 ", $"{prefix}01", $"{prefix}00000", $"{prefix}\u0661", $"{prefix}1e2",
            $"{prefix}0x10", $"{prefix}4294967296", $"{prefix}99999999999999999999", Topics.PackageChunk(otherSha, 1),
            Topics.PackageChunk(archive.Plan.ArchiveSha256.ToUpperInvariant(), 1), $"creditedge/packages/{archive.Plan.ArchiveSha256}/chunk/1",
            new string('a', 70_000), "creditedge/packages/../staging/x", "\0", $"{prefix}1\0",
        ];
        var cases = Gen.Select(Gen.Int[0, 9], Gen.Int[-3, count + 3], Gen.Int[0, 8], Gen.Byte.Array[0, 80], Gen.Int[0, 10_000]).Array[Cases].Single();
        var done = new bool[count];
        var verdicts = new Dictionary<ChunkVerdict, int>();

        foreach (var (topicKind, index, payloadKind, random, pick) in cases)
        {
            var topic = topicKind switch
            {
                < 6 => index >= 0 ? archive.Topic(index) : $"{prefix}{index}",
                < 9 => oddTopics[pick % oddTopics.Length],
                _ => System.Text.Encoding.UTF8.GetString(random),
            };
            var own = index >= 0 && index < count ? archive.Chunk(index) : archive.Chunk(pick % count);
            ReadOnlySpan<byte> payload = payloadKind switch
            {
                0 or 1 or 2 => own,
                3 => Flipped(own, pick),
                4 => own.AsSpan(0, own.Length - 1),
                5 => [.. own, 0],
                6 => archive.Chunk((Math.Max(index, 0) + 1 + (pick % (count - 1))) % count),
                7 => huge,
                _ => random,
            };

            ChunkVerdict verdict;
            try
            {
                verdict = staging.Accept(topic, payload, out _);
            }
            catch (Exception ex)
            {
                Assert.Fail($"topic '{topic}' payload {payload.Length} bytes threw {ex}");
                throw;
            }

            var expected = Expected(archive, done, topic, payload);
            Assert.True(expected == verdict, $"topic '{topic}' payload {payload.Length} bytes: {verdict}, expected {expected}");
            verdicts[verdict] = verdicts.GetValueOrDefault(verdict) + 1;
            if (verdict == ChunkVerdict.Written)
            {
                done[int.Parse(topic[prefix.Length..], System.Globalization.CultureInfo.InvariantCulture)] = true;
            }
        }

        Assert.Equal(Cases, verdicts.Values.Sum());
        Assert.All(Enum.GetValues<ChunkVerdict>(), v => Assert.True(verdicts.GetValueOrDefault(v) > 0, $"no case ended {v}: the generator misses a path"));
        var expectedFiles = Enumerable.Range(0, count).Where(i => done[i]).Select(i => Path.Combine(staging.ChunkDirectory, i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(expectedFiles, Directory.EnumerateFiles(root.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList());
        Assert.All(expectedFiles, f => Assert.Equal(archive.Chunk(int.Parse(Path.GetFileName(f), System.Globalization.CultureInfo.InvariantCulture)), File.ReadAllBytes(f)));
        Assert.Equal(expectedFiles.Count, staging.ChunksDone);
        Assert.Equal(expectedFiles.Count, new ChunkStaging(archive.Plan, staging.Directory).Resume()); // what was written is what resume keeps
    }

    /// <summary>The model: what a chunk message must come to, given which chunks are on disk.</summary>
    private static ChunkVerdict Expected(TestArchive archive, bool[] done, string topic, ReadOnlySpan<byte> payload)
    {
        // a chunk topic of this archive names its index as a plain decimal of at most 9 digits: one topic per chunk
        var prefix = archive.Topic(0)[..^1];
        if (!topic.StartsWith(prefix, StringComparison.Ordinal)
            || !long.TryParse(topic[prefix.Length..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            || number.ToString(System.Globalization.CultureInfo.InvariantCulture) != topic[prefix.Length..]
            || number > 999_999_999)
        {
            return ChunkVerdict.UnexpectedTopic;
        }

        if (number >= archive.ChunkCount)
        {
            return ChunkVerdict.IndexOutOfRange;
        }

        var index = (int)number;

        if (done[index])
        {
            return ChunkVerdict.Duplicate;
        }

        var own = archive.Chunk(index);
        return payload.Length != own.Length ? ChunkVerdict.WrongLength
            : payload.SequenceEqual(own) ? ChunkVerdict.Written
            : ChunkVerdict.HashMismatch;
    }

    private static byte[] Flipped(byte[] chunk, int pick)
    {
        var copy = chunk.ToArray();
        copy[pick % copy.Length] ^= (byte)(1 + (pick % 255));
        return copy;
    }
}
